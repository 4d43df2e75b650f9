package io.stylegan2.training;

import io.stylegan2.core.StepMemory;
import io.stylegan2.losses.Adversarial;
import io.stylegan2.losses.PathLengthPenalty;
import io.stylegan2.losses.R1Penalty;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The graphs of the training phases (NVlabs {@code StyleGAN2Loss.accumulate_gradients}), each built
 * once over the live arrays of {@link Networks} (G and D's variables are the very arrays the
 * optimisers update; in a phase that does not train a network, that network's weights are live
 * constants: read each run, never folded).
 *
 * <ul>
 *   <li><b>G</b>: {@code z}, {@code z2} {@code [B, z_dim]} and the row mask {@code mix [1, num_ws, 1]} (1 = the
 *       row comes from {@code z}, 0 = from {@code z2}: style mixing), random noise maps when the noise
 *       mode is random; {@code ws = mix * mapping(z) + (1 - mix) * mapping(z2)}, {@code img = synthesis(ws)}.
 *       Gmain's loss is {@code mean softplus(-D(img))}; the same graph draws the fakes of Dmain
 *       (forward only). Outputs also the mapped {@code w} of {@code z} (the tracked {@code w_avg}).</li>
 *   <li><b>Gpl</b> (when path-length regularisation is on): the same latents, mixing and noise feeds for
 *       {@code batch / pl_batch_shrink} images, the image-space noise {@code pl_noise} (N(0, 1), divided by
 *       {@code sqrt(H W)} in the graph) and the running mean {@code pl_mean} before the step;
 *       {@code pl_weight * mean_n (length_n - a')^2} times the lazy-regularisation gain
 *       ({@link PathLengthPenalty}: the hand-written W+ gradient of the synthesis network), with the
 *       updated running mean {@code a'} and the mapped {@code w} as outputs.</li>
 *   <li><b>Dmain</b>: {@code mean softplus(D(fake)) + mean softplus(-D(real))}, fakes fed as data.</li>
 *   <li><b>Dreg</b>: the R1 penalty on the reals, {@code (gamma / 2) mean_n |d sum D / d x_n|^2}, times the
 *       lazy-regularisation gain ({@link R1Penalty}: the hand-written input gradient of D).</li>
 * </ul>
 */
final class PhaseGraphs {
    static final String G_PREFIX = "G/", D_PREFIX = "D/";
    static final String Z = "z", Z2 = "z2", MIX = "mix", REAL = "real", FAKE = "fake";
    static final String G_LOSS = "loss/G", G_W = "G/w", G_IMAGE = "G/image", G_LOGITS = "G/logits";
    static final String D_LOSS = "loss/D", D_REAL = "D/real_logits", D_FAKE = "D/fake_logits", R1 = "loss/r1", R1_PENALTY = "D/r1_penalty";
    static final String PL_NOISE = "pl_noise", PL_MEAN = "pl_mean", PL_LOSS = "loss/pl", PL_PENALTY = "G/pl_penalty", PL_LENGTHS = "G/pl_lengths",
            PL_MEAN_NEXT = "G/pl_mean";

    /**
     * Path-length regularisation's settings (NVlabs {@code pl_weight}, {@code pl_decay}, the Gpl batch
     * {@code batch // pl_batch_shrink}, and the lazy-regularisation gain {@code G_reg_interval}).
     */
    record PathLength(double weight, int batch, double decay, int gain) {
        /** The options' settings, or null when path-length regularisation is off. */
        static PathLength of(TrainingOptions o) {
            return o.plWeight() > 0 ? new PathLength(o.plWeight(), o.batch() / o.plBatchShrink(), o.plDecay(), o.gRegInterval()) : null;
        }
    }

    final int batch;
    final Networks nets;
    final SameDiff gGraph, dGraph, rGraph, plGraph;
    final PathLength pl;
    final List<String> gVars = new ArrayList<>(), dVars = new ArrayList<>();
    private final StepMemory.Loop gMemory, dMemory, rMemory, plMemory;
    /** Whether phases drop their sessions after each run (see {@link #RELEASE_FROM_RESOLUTION}). */
    private final boolean release;
    private final NoiseMode noiseMode;

    /** @param pl path-length settings, or null for none (no Gpl graph) */
    PhaseGraphs(Networks nets, int batch, NoiseMode noiseMode, double r1Gamma, int r1Gain, PathLength pl) {
        this.nets = nets;
        this.batch = batch;
        this.noiseMode = noiseMode;
        this.pl = pl;
        int ch = nets.dCfg.imgChannels(), r = nets.dCfg.imgResolution();

        gGraph = SameDiff.create();
        ParamBinding gp = ParamBinding.live(gGraph, nets.gStore, G_PREFIX, Networks::trainedInG);
        ParamBinding dc = ParamBinding.live(gGraph, nets.dStore, D_PREFIX, n -> false);
        SDVariable ws = mixedWs(gp, batch);
        SDVariable img = nets.synthesis.build(gp, ws, noiseMode, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image().rename(G_IMAGE);
        SDVariable logits = Adversarial.logits(nets.discriminator, dc, img, batch).rename(G_LOGITS);
        SDVariable gLoss = gGraph.identity(G_LOSS, Adversarial.generatorLoss(logits));
        gGraph.setLossVariables(gLoss);
        for (String n : nets.g.keySet()) if (Networks.trainedInG(n)) gVars.add(gp.graphName(n));

        dGraph = SameDiff.create();
        ParamBinding dp = ParamBinding.live(dGraph, nets.dStore, D_PREFIX, n -> true);
        SDVariable real = dGraph.placeHolder(REAL, DataType.FLOAT, batch, ch, r, r), fake = dGraph.placeHolder(FAKE, DataType.FLOAT, batch, ch, r, r);
        SDVariable realLogits = Adversarial.logits(nets.discriminator, dp, real, batch).rename(D_REAL);
        SDVariable fakeLogits = Adversarial.logits(nets.discriminator, dp, fake, batch).rename(D_FAKE);
        dGraph.setLossVariables(dGraph.identity(D_LOSS, Adversarial.discriminatorLoss(realLogits, fakeLogits)));
        for (String n : nets.d.keySet()) dVars.add(dp.graphName(n));

        if (r1Gamma > 0) {
            rGraph = SameDiff.create();
            ParamBinding rp = ParamBinding.live(rGraph, nets.dStore, D_PREFIX, n -> true);
            SDVariable penalty = R1Penalty.build(nets.discriminator, rp, rGraph.placeHolder(REAL, DataType.FLOAT, batch, ch, r, r), r1Gamma).penalty()
                    .rename(R1_PENALTY);
            rGraph.setLossVariables(rGraph.identity(R1, penalty.mul(r1Gain)));
        } else {
            rGraph = null;
        }

        if (pl != null) {
            plGraph = SameDiff.create();
            ParamBinding lp = ParamBinding.live(plGraph, nets.gStore, G_PREFIX, Networks::trainedInG);
            SDVariable plWs = mixedWs(lp, pl.batch());
            PathLengthPenalty.Result res = PathLengthPenalty.build(nets.synthesis, lp, plWs, plGraph.placeHolder(PL_NOISE, DataType.FLOAT, pl.batch(), ch, r, r),
                    noiseMode, plGraph.placeHolder(PL_MEAN, DataType.FLOAT), pl.decay());
            res.lengths().rename(PL_LENGTHS);
            res.mean().rename(PL_MEAN_NEXT);
            plGraph.identity(PL_PENALTY, plGraph.mean(res.penalty()));
            plGraph.setLossVariables(plGraph.identity(PL_LOSS, plGraph.mean(res.penalty().mul(pl.weight())).mul(pl.gain())));
        } else {
            plGraph = null;
        }
        release = nets.gCfg.imgResolution() >= RELEASE_FROM_RESOLUTION;
        gMemory = new StepMemory.Loop(gGraph);
        dMemory = new StepMemory.Loop(dGraph);
        rMemory = rGraph == null ? null : new StepMemory.Loop(rGraph);
        plMemory = plGraph == null ? null : new StepMemory.Loop(plGraph);
    }

    /**
     * Placeholders {@code z}, {@code z2} {@code [batch, z_dim]} and {@code mix}, the mapped {@code w} of {@code z}
     * (named {@link #G_W}) and the style-mixed W+ codes {@code mix * w + (1 - mix) * w2}.
     */
    private SDVariable mixedWs(ParamBinding p, int batch) {
        GeneratorConfig c = nets.gCfg;
        SameDiff sd = p.sd();
        SDVariable z = sd.placeHolder(Z, DataType.FLOAT, batch, c.zDim()), z2 = sd.placeHolder(Z2, DataType.FLOAT, batch, c.zDim());
        SDVariable mix = sd.placeHolder(MIX, DataType.FLOAT, 1, c.numWs(), 1);
        SDVariable w = nets.mapping.w(p, z).rename(G_W);
        SDVariable w2 = nets.mapping.w(p, z2);
        return w.reshape(-1, 1, c.wDim()).mul(mix).add(w2.reshape(-1, 1, c.wDim()).mul(mix.rsub(1.0)));
    }

    /** The G graph's placeholders for latents {@code z}, {@code z2}, the mixing mask and noise maps. */
    Map<String, INDArray> gFeed(INDArray z, INDArray z2, INDArray mix, Map<String, INDArray> noise) {
        Map<String, INDArray> f = new HashMap<>();
        f.put(Z, z);
        f.put(Z2, z2);
        f.put(MIX, mix);
        if (noiseMode == NoiseMode.RANDOM) noise.forEach((l, m) -> f.put("noise/" + l, m));
        return f;
    }

    /** The Gpl graph's placeholders: {@link #gFeed}'s for its batch, the image-space noise (N(0, 1)) and the running mean. */
    Map<String, INDArray> plFeed(INDArray z, INDArray z2, INDArray mix, Map<String, INDArray> noise, INDArray plNoise, float plMean) {
        Map<String, INDArray> f = gFeed(z, z2, mix, noise);
        f.put(PL_NOISE, plNoise);
        f.put(PL_MEAN, Nd4j.scalar(DataType.FLOAT, plMean));
        return f;
    }

    /** Gmain: the generator loss and its gradients for G's trained tensors, plus the mapped {@code w}. */
    Phase gMain(Map<String, INDArray> feed) {
        OutAndGrad og = gGraph.calculateGradientsAndOutputs(feed, List.of(G_LOSS, G_W, G_LOGITS), gVars);
        Phase p = new Phase(og.getOutputs().get(G_LOSS).getDouble(0), og.getGradients(),
                og.getOutputs().get(G_W).dup(), og.getOutputs().get(G_LOGITS).dup());
        done(gGraph, gMemory);
        return p;
    }

    /** The fakes of Dmain (forward only) and the mapped {@code w}. */
    INDArray[] fakes(Map<String, INDArray> feed) {
        Map<String, INDArray> out = gGraph.output(feed, G_IMAGE, G_W);
        INDArray[] r = {out.get(G_IMAGE).dup(), out.get(G_W).dup()};
        if (release) release(gGraph);
        return r;
    }

    /**
     * The resolution from which each phase drops its graph's sessions after its run instead of
     * recycling their arrays. A SameDiff M2.1 session keeps every array of its last run reachable
     * (its op contexts), so five phase graphs hold five working sets at once: at 256 px (paper256,
     * batch 4) that passed 22 GB in the first iteration and the kernel killed the process; dropping
     * the sessions holds one phase's at a time (peak 17.5 GB there) for a session rebuild per phase,
     * small next to a 256 px phase's seconds. Below it the phases recycle their arrays
     * ({@link StepMemory}), which is what makes the small models fast. Both give the same numbers
     * ({@code TrainerTest}); the field is not final so that the test can force the release path.
     */
    static int RELEASE_FROM_RESOLUTION = 128;

    private void done(SameDiff sd, StepMemory.Loop loop) {
        if (release) release(sd);
        else loop.stepDone();
    }

    /** Drops the graph's sessions (and its gradient function's), with every array they still reference. */
    private static void release(SameDiff sd) {
        sd.getSessions().clear();
        SameDiff grad = sd.getFunction("grad");
        if (grad != null) grad.getSessions().clear();
    }

    /** Dmain: the discriminator loss and its gradients. */
    Phase dMain(INDArray real, INDArray fake) {
        OutAndGrad og = dGraph.calculateGradientsAndOutputs(Map.of(REAL, real, FAKE, fake), List.of(D_LOSS, D_REAL, D_FAKE), dVars);
        Phase p = new Phase(og.getOutputs().get(D_LOSS).getDouble(0), og.getGradients(),
                og.getOutputs().get(D_REAL).dup(), og.getOutputs().get(D_FAKE).dup());
        done(dGraph, dMemory);
        return p;
    }

    /** Dreg: the R1 penalty (without the gain, as NVlabs reports it) and the gradients of gain x penalty. */
    Phase dReg(INDArray real) {
        OutAndGrad og = rGraph.calculateGradientsAndOutputs(Map.of(REAL, real), List.of(R1, R1_PENALTY), dVars);
        Phase p = new Phase(og.getOutputs().get(R1_PENALTY).getDouble(0), og.getGradients(), null, null);
        done(rGraph, rMemory);
        return p;
    }

    /**
     * Gpl: the gradients of {@code gain * pl_weight * mean penalty} for G's trained tensors (those the penalty
     * does not reach have none: the ToRGB biases), the mean penalty (NVlabs' {@code Loss/pl_penalty}), the updated
     * running mean, the lengths and the mapped {@code w}.
     */
    PathLengthPhase gPl(Map<String, INDArray> feed) {
        OutAndGrad og = plGraph.calculateGradientsAndOutputs(feed, List.of(PL_LOSS, PL_PENALTY, PL_MEAN_NEXT, PL_LENGTHS, G_W), gVars);
        Map<String, INDArray> o = og.getOutputs();
        PathLengthPhase p = new PathLengthPhase(o.get(PL_PENALTY).getDouble(0), o.get(PL_MEAN_NEXT).getFloat(0), og.getGradients(),
                o.get(PL_LENGTHS).dup(), o.get(G_W).dup());
        done(plGraph, plMemory);
        return p;
    }

    /**
     * Gpl's result.
     *
     * @param penalty   the mean path-length penalty (without weight and gain)
     * @param mean      the updated running mean of the lengths (the next {@code pl_mean})
     * @param gradients by graph variable name
     * @param lengths   the path lengths {@code [batch / pl_batch_shrink]}
     * @param w         the mapped {@code w} of {@code z}
     */
    record PathLengthPhase(double penalty, float mean, Map<String, INDArray> gradients, INDArray lengths, INDArray w) {}

    /**
     * A phase's result.
     *
     * @param loss      the phase's scalar (its loss, or R1 / path-length penalty)
     * @param gradients by graph variable name
     * @param a         phase output (G: mapped w; D: real logits), or null
     * @param b         phase output (G: fake logits; D: fake logits), or null
     */
    record Phase(double loss, Map<String, INDArray> gradients, INDArray a, INDArray b) {}

    /** A mixing mask: rows {@code < cutoff} from the first latent. */
    static INDArray mixMask(int numWs, int cutoff) {
        INDArray m = Nd4j.zeros(DataType.FLOAT, 1, numWs, 1);
        for (int i = 0; i < Math.min(cutoff, numWs); i++) m.putScalar(0, i, 0, 1f);
        return m;
    }
}
