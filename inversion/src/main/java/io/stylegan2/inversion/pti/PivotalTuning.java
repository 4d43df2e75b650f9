package io.stylegan2.inversion.pti;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.inversion.engine.PivotTuning;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Locality;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Pivotal Tuning Inversion (Roich et al., TOG 2022), step 2: with the latent fixed at a pivot W+
 * (from any projector or encoder), tune every synthesis weight so that {@code G(pivot)} matches the
 * target:
 * <pre>
 *   loss = l2Weight * mse(G_theta+delta(w_p), x) + perceptualWeight * P(G_theta+delta(w_p), x) [+ locality]
 * </pre>
 * Adam on the offsets {@code delta} (zero at the start, so step 0 is the original generator; the
 * frozen weights are shared, never copied). Every synthesis parameter is tuned (weights, biases,
 * affine layers, noise strengths, the const input); the {@code noise_const} buffers are not
 * parameters in the official code and stay fixed, and the mapping network gets no gradient (as in
 * PTI). The run stops early once {@code P <= perceptualThreshold}, checked before each update as
 * PTI's {@code single_id_coach} does, and otherwise evaluates once more after the last update. The
 * optional locality regulariser is {@link Locality} with the same perceptual distance. PTI uses
 * LPIPS-AlexNet as {@code P}.
 *
 * <p><b>Thread safety:</b> Immutable (final config and perceptual distance): each {@link #tune}
 * call builds and trains its own graph and only reads the generator's frozen parameters, so
 * concurrent calls are safe when the perceptual distance is safe to share ({@code Lpips} is).
 * {@link #reconstructionLoss} adds ops to the caller's SameDiff, which is not thread-safe: build
 * one graph from one thread.
 */
public final class PivotalTuning implements PivotTuning {
    private static final Logger log = LoggerFactory.getLogger(PivotalTuning.class);

    /** Term names in the history. */
    public static final String L2 = "l2", PERCEPTUAL = "lpips", LOCALITY = "locality";

    /** The parameters PTI tunes: all synthesis parameters but the {@code noise_const} buffers ({@link MethodGraph#SYNTHESIS_PARAMETERS}). */
    public static final Predicate<String> TUNED = MethodGraph.SYNTHESIS_PARAMETERS;

    private static final String LOCALITY_ON = "pti/locality_on";

    private final PtiConfig config;
    private final PerceptualLoss perceptual;

    /**
     * @param config     settings ({@link PtiConfig#defaults()} for PTI's)
     * @param perceptual perceptual distance of images in [-1, 1] (e.g. LPIPS-AlexNet)
     */
    public PivotalTuning(PtiConfig config, PerceptualLoss perceptual) {
        if (config == null || perceptual == null) throw new IllegalArgumentException("PTI needs a config and a perceptual distance");
        this.config = config;
        this.perceptual = perceptual;
    }

    public PtiConfig config() {
        return config;
    }

    /**
     * PTI's reconstruction terms on {@code mg}'s image and target: {@code l2Weight * mse + perceptualWeight * P}
     * (named {@link #L2} and {@link #PERCEPTUAL}); shared by the tunings around a pivot (GANI).
     */
    public static CompositeLoss.Builder reconstructionLoss(MethodGraph mg, double l2Weight, double perceptualWeight, PerceptualLoss perceptual) {
        int r = mg.generator().config().imgResolution();
        return mg.loss()
                .add(L2, l2Weight, Pixelwise.mse(mg.image(), mg.target()))
                .add(PERCEPTUAL, perceptualWeight, perceptual.distance(mg.image(), mg.target(), r, r).mean());
    }

    @Override
    public NoiseMode noiseMode() {
        return config.noiseMode();
    }

    @Override
    public Map<String, Object> settings(TuningResult run) {
        return MethodOptions.asMap(config);
    }

    @Override
    public String summary(TuningResult run) {
        return String.format(Locale.ROOT, "PTI %d steps%s", run.steps(), run.stoppedEarly() ? " (early stop)" : "");
    }

    /**
     * Runs the tuning.
     *
     * @param g        the generator (left unchanged)
     * @param pivot    one latent ({@link WPlus#one}: W+ {@code [1, num_ws, w_dim]}, or a w broadcast to every row)
     * @param target   {@code [1, C, R, R]} in [-1, 1] at the generator's resolution
     * @param progress {@code start("pti", maxSteps)}, one update per evaluation with the term values, {@code end()}
     * @param cancel   checked between steps
     */
    @Override
    public TuningResult tune(Generator g, INDArray pivot, INDArray target, Progress progress, CancellationToken cancel) {
        GeneratorConfig cfg = g.config();
        DataType dt = g.params().dataType();
        INDArray ws = WPlus.one(pivot, cfg, "PTI pivot").castTo(dt);
        Target.checkImage(cfg, target, "PTI target");

        long t0 = System.nanoTime();
        MethodGraph mg = MethodGraph.builder(g).scope("pti/").latentPlaceholder(1).noiseMode(config.noiseMode()).tuneWeights(TUNED)
                .target(target).build();
        CompositeLoss.Builder lb = reconstructionLoss(mg, config.l2Weight(), config.perceptualWeight(), perceptual);
        Locality locality = null;
        if (config.localityOn()) {
            locality = Locality.build(g, mg.binding(), config.locality(), config.locality().perceptualWeight() != 0 ? perceptual : null);
            SDVariable on = mg.sd().placeHolder(LOCALITY_ON, dt);
            lb.add(LOCALITY, 1.0, locality.loss().mul(on));  // weights already inside; 0 on steps off the interval
        }
        CompositeLoss loss = lb.build();
        double setup = Results.seconds(t0);
        log.debug("PTI graph built in {} s: {} offset tensors", setup, mg.offsets().size());

        Locality loc = locality;
        OptimisationLoop.Result run = mg.loop(loss, mg.adam(config.beta1(), config.beta2(), config.eps()))
                .task("pti").steps(config.maxSteps()).schedule(Schedule.constant(config.learningRate()))
                .stopWhen(OptimisationLoop.StopRule.atMost(PERCEPTUAL, config.perceptualThreshold()))
                .finalEvaluation(true).outputs(mg.image().name())
                .feed(step -> {
                    Map<String, INDArray> feed = new HashMap<>(mg.feedLatent(ws));
                    if (loc != null) {
                        feed.putAll(loc.placeholders(g, ws, config.seed() + step));
                        feed.put(LOCALITY_ON, Nd4j.scalar(dt, step % config.localityInterval() == 0 ? 1.0 : 0.0));
                    }
                    return feed;
                })
                .run(progress, cancel);
        log.debug("PTI: {} steps, stopped early {}, {} -> {}", run.steps(), run.stoppedEarly(), run.history().get(0), run.history().get(run.history().size() - 1));
        return new TuningResult(mg.offsetValues(), run.last().outputs().get(mg.image().name()), run, Map.of(), setup);
    }
}
