package io.stylegan2.inversion.nearperfect;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.StepMemory;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.inversion.CancellationToken;
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.losses.Adversarial;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.GlobalCohesion;
import io.stylegan2.losses.LaplacianPyramidLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.R1Penalty;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOffsets;
import io.stylegan2.stylegan.WeightOverride;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Near-perfect inversion's generator fine-tuning (Feng et al., arXiv 2202.11833). With the latent
 * {@code w} fixed (from an encoder or any earlier inversion), Adam trains offsets {@code delta} on
 * every synthesis parameter (the same set as PTI, {@link PivotalTuning#TUNED}; zero at the start,
 * the frozen weights are shared, never copied) to minimise
 * <pre>
 *   L_G = reconWeight * L_lap(x, G(w)) + lambda_adv * softplus(-D(G(w))) + lambda_glob * mean_j softplus(-D(G(w_j)))
 * </pre>
 * where {@code L_lap} is {@link LaplacianPyramidLoss}, the adversarial terms are the non-saturating
 * generator form of the paper's {@code log D(x) + log(1 - D(G(w)))} ({@code log D(x)} does not depend
 * on the generator), and {@code w_j} are fresh latents each step ({@link GlobalCohesion}).
 *
 * <p>With {@link DiscriminatorMode#ALTERNATING}, each generator step is followed by one Adam step
 * (betas 0 / 0.99, as StyleGAN2) of a copy of the discriminator on
 * <pre>
 *   L_D = softplus(D(G(w))) + softplus(-D(x)) + mean_j softplus(D(G(w_j))) + mean_j softplus(-D(G_0(w'_j)))
 * </pre>
 * and, every {@code r1Interval} steps, one more on {@code r1Interval * (R1(x) + R1(G_0(w'_j)))} (lazy R1).
 * whose fakes are the step's reconstruction and samples (detached) and whose global reals are the
 * original generator's samples of independent latents {@code w'_j}. The generator graph reads the
 * copy's current weights after every discriminator step.
 *
 * <p>The run stops after {@code maxSteps} updates, or before an update as soon as the reconstruction
 * MSE is at most {@code targetMse}.
 */
public final class NearPerfectTuning {
    private static final Logger log = LoggerFactory.getLogger(NearPerfectTuning.class);

    /** History names. */
    public static final String RECON = "laplacian", MSE = "mse", ADV_LOCAL = "adv_local", GLOBAL = "global",
            D_LOSS = "d_loss", R1 = "r1";

    private static final String WS = "np/ws", TARGET = "np/target", IMAGE = "np/image", D_PREFIX = "D/",
            FAKE_LOCAL = "npd/fake_local", FAKE_GLOBAL = "npd/fake_global", REAL_GLOBAL = "npd/real_global",
            D_TOTAL = "npd/loss", D_R1 = "npd/r1";

    private final NearPerfectConfig config;

    public NearPerfectTuning(NearPerfectConfig config) {
        if (config == null) throw new IllegalArgumentException("near-perfect tuning needs a config");
        this.config = config;
    }

    public NearPerfectConfig config() {
        return config;
    }

    /** {@link #tune(Generator, Discriminator, INDArray, INDArray, Progress, CancellationToken)} without progress or cancellation. */
    public NearPerfectResult tune(Generator g, Discriminator d, INDArray ws, INDArray target) {
        return tune(g, d, ws, target, Progress.NONE, CancellationToken.NONE);
    }

    /**
     * Runs the tuning.
     *
     * @param g        the generator (left unchanged)
     * @param d        the checkpoint's discriminator (left unchanged); may be null only when both adversarial weights are 0
     * @param ws       the latent: W+ {@code [1, num_ws, w_dim]} (or {@code [num_ws, w_dim]}; a single w is broadcast)
     * @param target   {@code [1, C, R, R]} in [-1, 1] at the generator's resolution
     * @param progress {@code start("near-perfect", maxSteps)}, one update per evaluation, {@code end()}
     * @param cancel   checked between steps
     */
    public NearPerfectResult tune(Generator g, Discriminator d, INDArray ws, INDArray target, Progress progress, CancellationToken cancel) {
        Progress p = Progress.orNone(progress);
        CancellationToken c = CancellationToken.orNone(cancel);
        GeneratorConfig cfg = g.config();
        DataType dt = g.params().dataType();
        int r = cfg.imgResolution();
        long[] ts = target.shape();
        if (!Arrays.equals(ts, new long[]{1, cfg.imgChannels(), r, r}))
            throw new IllegalArgumentException("near-perfect target: shape " + Arrays.toString(ts) + ", expected [1, " + cfg.imgChannels() + ", " + r + ", " + r + "]");
        boolean adversarial = config.advWeight() > 0 || config.globalWeight() > 0;
        if (adversarial && d == null)
            throw new IllegalArgumentException("near-perfect: the adversarial terms need the checkpoint's discriminator (the model file has none); set both adversarial weights to 0 to run without");
        if (d != null && (d.config().imgResolution() != r || d.config().imgChannels() != cfg.imgChannels()))
            throw new IllegalArgumentException("near-perfect: the discriminator takes " + d.config().imgChannels() + "x" + d.config().imgResolution()
                    + " images, the generator makes " + cfg.imgChannels() + "x" + r);
        boolean alternating = adversarial && config.discriminator() == DiscriminatorMode.ALTERNATING;
        boolean global = config.globalWeight() > 0;
        INDArray w = PivotalTuning.pivotWs(cfg, ws).castTo(dt);
        INDArray x = target.castTo(dt).dup('c');

        // generator graph
        long t0 = System.nanoTime();
        SameDiff sd = SameDiff.create();
        WeightOffsets offsets = new WeightOffsets(PivotalTuning.TUNED);
        ParamBinding gb = new ParamBinding(sd, g.params(), "", n -> false, offsets);
        // alternating: the discriminator's weights are variables (copies) that DiscriminatorStep overwrites; frozen: shared constants
        ParamBinding db = d == null ? null : new ParamBinding(sd, d.params(), D_PREFIX, n -> alternating, WeightOverride.NONE);
        SDVariable wsVar = sd.placeHolder(WS, dt, 1, cfg.numWs(), cfg.wDim());
        SDVariable img = g.synthesisNetwork().build(gb, wsVar, config.noiseMode(), SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image().rename(IMAGE);
        SDVariable tgt = sd.constant(TARGET, x);
        CompositeLoss.Builder lb = CompositeLoss.builder(sd)
                .add(RECON, config.reconWeight(), LaplacianPyramidLoss.loss(img, tgt, config.pyramidFor(r), cfg.imgChannels()))
                .add(MSE, 0.0, Pixelwise.mse(img, tgt));
        if (config.advWeight() > 0) lb.add(ADV_LOCAL, config.advWeight(), Adversarial.generatorLoss(Adversarial.logits(d, db, img, 1)));
        GlobalCohesion cohesion = null;
        if (global) {
            cohesion = GlobalCohesion.build(g, gb, d, db, new GlobalCohesion.Config(config.globalSamples(), config.globalWeight(), config.truncationPsi(), config.noiseMode()));
            lb.add(GLOBAL, config.globalWeight(), cohesion.loss());
        }
        CompositeLoss loss = lb.build();
        Map<String, SDVariable> deltas = offsets.deltas();
        if (deltas.isEmpty()) throw new IllegalStateException("near-perfect: no synthesis parameter was bound");
        List<String> deltaNames = new ArrayList<>();
        deltas.values().forEach(v -> deltaNames.add(v.name()));
        Adam adam = new Adam(sd, deltaNames, config.beta1(), config.beta2(), 1e-8);
        List<String> outputs = new ArrayList<>(Arrays.asList(loss.outputNames()));
        outputs.add(IMAGE);
        if (alternating && global) outputs.add(cohesion.image().name());
        DiscriminatorStep dStep = alternating ? new DiscriminatorStep(g, d, x, cohesion) : null;
        long buildMs = (System.nanoTime() - t0) / 1_000_000;
        log.debug("near-perfect graph built in {} ms: {} offset tensors, discriminator {}", buildMs, deltas.size(), alternating ? "alternating" : "frozen");

        List<Map<String, Double>> history = new ArrayList<>();
        boolean stoppedEarly = false;
        int steps = 0;
        INDArray recon;
        long t1 = System.nanoTime();
        StepMemory.Loop memory = new StepMemory.Loop(sd);
        p.start("near-perfect", config.maxSteps());
        try {
            while (true) {
                c.throwIfCancelled();
                Map<String, INDArray> feed = new HashMap<>();
                feed.put(WS, w);
                if (global) feed.putAll(cohesion.placeholders(g, config.seed() + steps));
                boolean last = steps >= config.maxSteps();
                OutAndGrad og = last ? null : sd.calculateGradientsAndOutputs(feed, outputs, deltaNames);
                Map<String, INDArray> outs = last ? sd.output(feed, outputs) : og.getOutputs();
                Map<String, Double> values = new LinkedHashMap<>(loss.values(outs));
                checkFinite(values, steps);
                recon = outs.get(IMAGE).dup();  // the image at the weights of this evaluation: the result when it is the last
                stoppedEarly = !last && config.targetMse() > 0 && values.get(MSE) <= config.targetMse();
                if (!last && !stoppedEarly) {
                    adam.step(og.getGradients(), config.learningRate());
                    if (dStep != null) {
                        values.putAll(dStep.step(recon, global ? outs.get(cohesion.image().name()) : null, config.seed() + 1_000_003L + steps));
                        checkFinite(values, steps);
                        dStep.copyInto(sd);
                    }
                }
                history.add(values);
                p.update(steps, values);
                if (last || stoppedEarly) break;
                steps++;
                memory.stepDone();
                MemoryPolicy.step();
            }
        } finally {
            p.end();
        }
        long tuneMs = (System.nanoTime() - t1) / 1_000_000;
        Map<String, INDArray> out = new LinkedHashMap<>();
        deltas.forEach((name, v) -> out.put(name, v.getArr().dup()));
        log.debug("near-perfect: {} steps, stopped early {}, {} -> {}", steps, stoppedEarly, history.get(0), history.get(history.size() - 1));
        return new NearPerfectResult(Collections.unmodifiableMap(out), recon, List.copyOf(history), steps, stoppedEarly,
                dStep == null ? Map.of() : dStep.parameters(),
                new NearPerfectResult.Timing(buildMs, tuneMs, (double) tuneMs / history.size()));
    }

    private static void checkFinite(Map<String, Double> values, int step) {
        for (Map.Entry<String, Double> e : values.entrySet())
            if (!Double.isFinite(e.getValue()))
                throw new ArithmeticException("near-perfect: " + e.getKey() + " is " + e.getValue() + " at step " + step + " (lower the learning rates?)");
    }

    /**
     * The alternating discriminator: a trainable copy of the checkpoint's weights in its own graph (logistic loss),
     * plus, when {@code r1Gamma > 0}, a second graph with the R1 penalty on the same reals, stepped every
     * {@code r1Interval} steps on {@code r1Interval * R1} (StyleGAN2's lazy regularisation). One Adam (betas 0 / 0.99)
     * updates the main graph's arrays; the R1 graph and the generator graph get copies after each update.
     */
    private final class DiscriminatorStep {
        private final Generator g;
        private final GlobalCohesion cohesion;
        private final SameDiff main = SameDiff.create();
        private final SameDiff reg;
        private final List<String> names = new ArrayList<>();
        private final Map<String, INDArray> weights = new LinkedHashMap<>();
        private final Adam adam = new Adam(0.0, 0.99, 1e-8);
        private int steps;

        DiscriminatorStep(Generator g, Discriminator d, INDArray target, GlobalCohesion cohesion) {
            this.g = g;
            this.cohesion = cohesion;
            DataType dt = d.params().dataType();
            int ch = d.config().imgChannels(), r = d.config().imgResolution();
            int n = cohesion == null ? 0 : cohesion.config().numSamples();
            ParamBinding p = new ParamBinding(main, d.params(), D_PREFIX, x -> true, WeightOverride.NONE);
            SDVariable realLocal = main.constant("npd/real_local", target);
            SDVariable loss = Adversarial.discriminatorLoss(Adversarial.logits(d, p, realLocal, 1),
                    Adversarial.logits(d, p, main.placeHolder(FAKE_LOCAL, dt, 1, ch, r, r), 1));
            if (cohesion != null)
                loss = loss.add(Adversarial.discriminatorLoss(Adversarial.logits(d, p, main.placeHolder(REAL_GLOBAL, dt, n, ch, r, r), n),
                        Adversarial.logits(d, p, main.placeHolder(FAKE_GLOBAL, dt, n, ch, r, r), n)));
            main.setLossVariables(main.identity(D_TOTAL, loss));
            for (String name : d.params().names()) {
                String gn = p.graphName(name);
                if (main.hasVariable(gn) && main.getVariable(gn).getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
                    names.add(gn);
                    weights.put(gn, main.getVariable(gn).getArr());
                }
            }
            if (config.r1Gamma() > 0) {
                reg = SameDiff.create();
                ParamBinding q = new ParamBinding(reg, d.params(), D_PREFIX, x -> true, WeightOverride.NONE);
                SDVariable r1 = R1Penalty.build(d, q, reg.constant("npd/real_local", target), config.r1Gamma()).penalty();
                if (cohesion != null) r1 = r1.add(R1Penalty.build(d, q, reg.placeHolder(REAL_GLOBAL, dt, n, ch, r, r), config.r1Gamma()).penalty());
                reg.setLossVariables(reg.identity(D_R1, r1.mul(config.r1Interval())));
            } else {
                reg = null;
            }
        }

        /** One update on the step's fakes (and the lazy R1 update when due); returns {@code d_loss} and, on R1 steps, {@code r1}. */
        Map<String, Double> step(INDArray fakeLocal, INDArray fakeGlobal, long seed) {
            Map<String, INDArray> feed = new HashMap<>();
            feed.put(FAKE_LOCAL, fakeLocal);
            if (cohesion != null) {
                feed.put(FAKE_GLOBAL, fakeGlobal);
                feed.put(REAL_GLOBAL, g.synthesis(cohesion.sample(g, seed), config.noiseMode(), 0));
            }
            OutAndGrad og = main.calculateGradientsAndOutputs(feed, List.of(D_TOTAL), names);
            Map<String, Double> v = new LinkedHashMap<>();
            v.put(D_LOSS, og.getOutputs().get(D_TOTAL).getDouble(0));
            adam.step(weights, og.getGradients(), config.dLearningRate());
            if (reg != null && steps % config.r1Interval() == 0) {
                copy(main, reg);
                Map<String, INDArray> rf = new HashMap<>();
                if (cohesion != null) rf.put(REAL_GLOBAL, feed.get(REAL_GLOBAL));
                OutAndGrad rg = reg.calculateGradientsAndOutputs(rf, List.of(D_R1), names);
                v.put(R1, rg.getOutputs().get(D_R1).getDouble(0) / config.r1Interval());
                // R1 does not reach every parameter (e.g. biases after the last nonlinearity): those are skipped, as torch skips grad-less params
                Map<String, INDArray> reached = new LinkedHashMap<>();
                weights.forEach((k, w) -> { if (rg.getGradients().get(k) != null) reached.put(k, w); });
                adam.step(reached, rg.getGradients(), config.dLearningRate());
            }
            steps++;
            return v;
        }

        /** Writes the copy's current weights into the generator graph's discriminator variables. */
        void copyInto(SameDiff sd) {
            copy(main, sd);
        }

        private void copy(SameDiff from, SameDiff to) {
            for (String n : names) if (to.hasVariable(n)) to.getVariable(n).getArr().assign(from.getVariable(n).getArr());
        }

        Map<String, INDArray> parameters() {
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (String n : names) out.put(n.substring(D_PREFIX.length()), weights.get(n).dup());
            return Collections.unmodifiableMap(out);
        }
    }
}
