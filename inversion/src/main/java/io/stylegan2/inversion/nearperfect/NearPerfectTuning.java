package io.stylegan2.inversion.nearperfect;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.AlternatingDiscriminator;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.Adversarial;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.GlobalCohesion;
import io.stylegan2.losses.LaplacianPyramidLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Near-perfect inversion's generator fine-tuning (Feng et al., arXiv 2202.11833). With the latent
 * {@code w} fixed (from an encoder or any earlier inversion), Adam trains offsets {@code delta} on
 * every synthesis parameter (the same set as PTI, {@link MethodGraph#SYNTHESIS_PARAMETERS}; zero at the start,
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
 * Its fakes are the step's reconstruction and samples (detached), its global reals the original
 * generator's samples of independent latents {@code w'_j}. The generator graph reads the
 * copy's current weights after every discriminator step ({@link AlternatingDiscriminator}, shared with the PadInv encoder).
 *
 * <p>The run stops after {@code maxSteps} updates, or before an update as soon as the reconstruction
 * MSE is at most {@code targetMse}.
 *
 * <p><b>Thread safety:</b> Immutable (a final config): each {@link #tune} call builds its own
 * graphs, optimisers and, when alternating, discriminator copy, and only reads the generator's and
 * the checkpoint discriminator's parameters, so concurrent calls are safe; the {@link Generator}
 * and {@link Discriminator} serialise their own calls.
 */
public final class NearPerfectTuning {
    private static final Logger log = LoggerFactory.getLogger(NearPerfectTuning.class);

    /** History names. */
    public static final String RECON = "laplacian", MSE = "mse", ADV_LOCAL = "adv_local", GLOBAL = "global",
            D_LOSS = "d_loss", R1 = "r1";

    /** Prefix of the tuned discriminator's parameters in {@link TuningResult#extras()}. */
    public static final String DISCRIMINATOR = "discriminator/";

    private static final String D_PREFIX = "D/";

    private final NearPerfectConfig config;

    public NearPerfectTuning(NearPerfectConfig config) {
        if (config == null) throw new IllegalArgumentException("near-perfect tuning needs a config");
        this.config = config;
    }

    public NearPerfectConfig config() {
        return config;
    }

    /** {@link #tune(Generator, Discriminator, INDArray, INDArray, Progress, CancellationToken)} without progress or cancellation. */
    public TuningResult tune(Generator g, Discriminator d, INDArray ws, INDArray target) {
        return tune(g, d, ws, target, Progress.NONE, CancellationToken.NONE);
    }

    /**
     * Runs the tuning.
     *
     * @param g        the generator (left unchanged)
     * @param d        the checkpoint's discriminator (left unchanged); may be null only when both adversarial weights are 0
     * @param ws       the latent: one latent ({@link WPlus#one}; a single w is broadcast)
     * @param target   {@code [1, C, R, R]} in [-1, 1] at the generator's resolution
     * @param progress {@code start("near-perfect", maxSteps)}, one update per evaluation, {@code end()}
     * @param cancel   checked between steps
     * @return the offsets, the final image, the history and, with an alternating discriminator, its tuned
     *         copy's parameters as extras {@code discriminator/<canonical name>} (graph layout)
     */
    public TuningResult tune(Generator g, Discriminator d, INDArray ws, INDArray target, Progress progress, CancellationToken cancel) {
        GeneratorConfig cfg = g.config();
        DataType dt = g.params().dataType();
        int r = cfg.imgResolution();
        Target.checkImage(cfg, target, "near-perfect target");
        boolean adversarial = config.advWeight() > 0 || config.globalWeight() > 0;
        if (adversarial && d == null)
            throw new IllegalArgumentException("near-perfect: the adversarial terms need the checkpoint's discriminator (the model file has none); set both adversarial weights to 0 to run without");
        if (d != null && (d.config().imgResolution() != r || d.config().imgChannels() != cfg.imgChannels()))
            throw new IllegalArgumentException("near-perfect: the discriminator takes " + d.config().imgChannels() + "x" + d.config().imgResolution()
                    + " images, the generator makes " + cfg.imgChannels() + "x" + r);
        boolean alternating = adversarial && config.discriminator() == DiscriminatorMode.ALTERNATING;
        boolean global = config.globalWeight() > 0;
        INDArray w = WPlus.one(ws, cfg, "near-perfect latent").castTo(dt);
        INDArray x = target.castTo(dt).dup('c');

        // generator graph; alternating: the discriminator's weights are variables (copies) that DiscriminatorStep overwrites; frozen: shared constants
        long t0 = System.nanoTime();
        MethodGraph mg = MethodGraph.builder(g).scope("np/").latentPlaceholder(1).noiseMode(config.noiseMode()).tuneWeights(MethodGraph.SYNTHESIS_PARAMETERS)
                .target(x).build();
        ParamBinding db = d == null ? null : mg.bind(d, D_PREFIX, alternating);
        SDVariable img = mg.image(), tgt = mg.target();
        CompositeLoss.Builder lb = mg.loss()
                .add(RECON, config.reconWeight(), LaplacianPyramidLoss.loss(img, tgt, config.pyramidFor(r), cfg.imgChannels()))
                .add(MSE, 0.0, Pixelwise.mse(img, tgt));
        if (config.advWeight() > 0) lb.add(ADV_LOCAL, config.advWeight(), Adversarial.generatorLoss(Adversarial.logits(d, db, img, 1)));
        GlobalCohesion cohesion = null;
        if (global) {
            cohesion = GlobalCohesion.build(g, mg.binding(), d, db, new GlobalCohesion.Config(config.globalSamples(), config.globalWeight(), config.truncationPsi(), config.noiseMode()));
            lb.add(GLOBAL, config.globalWeight(), cohesion.loss());
        }
        CompositeLoss loss = lb.build();
        AlternatingDiscriminator dStep = alternating ? new AlternatingDiscriminator(d, D_PREFIX, "npd/", global ? new int[]{1, config.globalSamples()} : new int[]{1},
                new AlternatingDiscriminator.Settings(config.dLearningRate(), 0.0, 0.99, config.r1Gamma(), config.r1Interval())) : null;
        double setup = Results.seconds(t0);
        log.debug("near-perfect graph built in {} s: {} offset tensors, discriminator {}", setup, mg.offsets().size(), alternating ? "alternating" : "frozen");

        GlobalCohesion coh = cohesion;
        OptimisationLoop.Builder loop = mg.loop(loss, mg.adam(config.beta1(), config.beta2(), 1e-8))
                .task("near-perfect").steps(config.maxSteps()).schedule(Schedule.constant(config.learningRate()))
                .stopWhen(OptimisationLoop.StopRule.atMost(MSE, config.targetMse())).finalEvaluation(true)
                .outputs(img.name())
                .feed(step -> {
                    Map<String, INDArray> feed = new HashMap<>(mg.feedLatent(w));
                    if (coh != null) feed.putAll(coh.placeholders(g, config.seed() + step));
                    return feed;
                });
        if (dStep != null) {
            if (global) loop.outputs(cohesion.image().name());
            loop.afterUpdate((step, e) -> {
                List<INDArray> reals = new ArrayList<>(List.of(x)), fakes = new ArrayList<>(List.of(e.outputs().get(img.name()).dup()));
                if (coh != null) {
                    reals.add(g.synthesis(coh.sample(g, config.seed() + 1_000_003L + step), config.noiseMode(), 0));
                    fakes.add(e.outputs().get(coh.image().name()).dup());
                }
                Map<String, Double> v = new LinkedHashMap<>();
                dStep.step(reals, fakes).forEach((k, val) -> v.put(k.equals(AlternatingDiscriminator.D_LOSS) ? D_LOSS : R1, val));
                dStep.copyInto(mg.sd());
                return v;
            });
        }
        OptimisationLoop.Result run = loop.run(progress, cancel);
        log.debug("near-perfect: {} steps, stopped early {}, {} -> {}", run.steps(), run.stoppedEarly(), run.history().get(0), run.history().get(run.history().size() - 1));
        Map<String, INDArray> extras = new LinkedHashMap<>();
        if (dStep != null) dStep.parameters().forEach((n, a) -> extras.put(DISCRIMINATOR + n, a));
        return new TuningResult(mg.offsetValues(), run.last().outputs().get(img.name()), run, extras, setup);
    }

    /** The tuned discriminator copy's parameters from a result's extras, by canonical name (graph layout); empty when D was frozen. */
    public static Map<String, INDArray> discriminator(TuningResult r) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        r.extras().forEach((k, v) -> {
            if (k.startsWith(DISCRIMINATOR)) m.put(k.substring(DISCRIMINATOR.length()), v);
        });
        return m;
    }

}
