package io.stylegan2.inversion.gani;

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
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Locality;
import io.stylegan2.losses.PerceptualLoss;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * GANI (Sheffi, Rotman, Wolf, "Gradient Adjusting Networks for Domain Inversion", SCIA 2023), the
 * tuning step: with the latent fixed at a pivot, train one shallow {@link GradientModules module}
 * per selected synthesis weight so that {@code G_{theta + GMM(input)}(pivot)} matches the target:
 * <pre>
 *   loss = l2Weight * mse(G'(w_p), x) + perceptualWeight * P(G'(w_p), x) [+ PTI's locality term]
 * </pre>
 * Only the modules' parameters are trained (Adam); the generator's weights are frozen and shared.
 * The module input is a constant: the original weights, or the gradient of the same loss with
 * respect to them at the pivot (computed once, on a graph with zero offsets, before the run), so
 * the tuned generator is the original parameters with each module applied once, and the result is
 * the offsets {@code GMM(input)} (saved and rendered as PTI's are). Evaluates once more after the
 * last update. No code of the paper was released: every choice here is ours, see inversion/GANI.md.
 *
 * <p><b>Thread safety:</b> Immutable (final config and perceptual distance): each {@link #tune}
 * call builds and trains its own graphs and only reads the generator's frozen parameters, so
 * concurrent calls are safe when the perceptual distance is safe to share ({@code Lpips} is); the
 * {@link Generator} serialises its calls.
 */
public final class GaniTuning implements PivotTuning {
    private static final Logger log = LoggerFactory.getLogger(GaniTuning.class);

    /** Term names in the history. */
    public static final String L2 = PivotalTuning.L2, PERCEPTUAL = PivotalTuning.PERCEPTUAL, LOCALITY = PivotalTuning.LOCALITY;
    /** Extras key of the number of trained module scalars (a scalar array). */
    public static final String PARAMETER_COUNT = "gmm/parameter_count";

    private final GaniConfig config;
    private final PerceptualLoss perceptual;

    public GaniTuning(GaniConfig config, PerceptualLoss perceptual) {
        if (config == null || perceptual == null) throw new IllegalArgumentException("GANI needs a config and a perceptual distance");
        this.config = config;
        this.perceptual = perceptual;
    }

    public GaniConfig config() {
        return config;
    }

    @Override
    public NoiseMode noiseMode() {
        return config.noiseMode();
    }

    /** The options plus {@code trained_parameters} (the modules' scalars). */
    @Override
    public Map<String, Object> settings(TuningResult run) {
        Map<String, Object> m = new LinkedHashMap<>(MethodOptions.asMap(config));
        m.put("trained_parameters", parameterCount(run));
        return m;
    }

    @Override
    public String summary(TuningResult run) {
        return String.format(Locale.ROOT, "GANI %d steps, %d modules (input %s, width %d), %d trained parameters",
                run.steps(), run.weightOffsets().size(), config.input().name().toLowerCase(Locale.ROOT), config.width(), parameterCount(run));
    }

    /** The number of trained module scalars of a run of this tuning. */
    public static long parameterCount(TuningResult run) {
        INDArray n = run.extras().get(PARAMETER_COUNT);
        if (n == null) throw new IllegalArgumentException("not a GANI run: no " + PARAMETER_COUNT + " in its extras");
        return n.getLong(0);
    }

    /**
     * Runs the tuning.
     *
     * @param g        the generator (left unchanged)
     * @param pivot    one latent ({@link WPlus#one})
     * @param target   {@code [1, C, R, R]} in [-1, 1] at the generator's resolution
     * @param progress {@code start("gani", maxSteps)}, one update per evaluation, {@code end()}
     * @param cancel   checked between steps
     * @return offsets {@code GMM(input)} by parameter (graph layout), the final image, the run; extras: the
     *         module parameters {@code gmm/<param>/<part>} and {@link #PARAMETER_COUNT}
     */
    @Override
    public TuningResult tune(Generator g, INDArray pivot, INDArray target, Progress progress, CancellationToken cancel) {
        GeneratorConfig cfg = g.config();
        DataType dt = g.params().dataType();
        INDArray ws = WPlus.one(pivot, cfg, "GANI pivot").castTo(dt);
        Target.checkImage(cfg, target, "GANI target");
        long t0 = System.nanoTime();

        List<String> layers = new ArrayList<>();
        for (String n : g.params().names()) if (config.layers().selects(n)) layers.add(n);
        Map<String, INDArray> gradients = config.input().usesGradient() ? pivotGradient(g, ws, target, layers) : Map.of();
        Map<String, List<INDArray>> inputs = new LinkedHashMap<>();
        for (String n : layers) {
            List<INDArray> in = new ArrayList<>();
            if (config.input().usesWeights()) in.add(g.params().get(n));
            if (config.input().usesGradient()) in.add(gradients.get(n));
            inputs.put(n, in);
        }

        MethodGraph.Builder b = MethodGraph.builder(g).scope("gani/").latentPlaceholder(1).noiseMode(config.noiseMode()).target(target);
        GradientModules gmm = new GradientModules(b.sd(), inputs, config.sharing(), config.width(), config.seed());
        MethodGraph mg = b.weightOverride(gmm).trainable(gmm.variables()).build();
        CompositeLoss.Builder lb = reconstruction(mg);
        Locality locality = null;
        if (config.locality() != null) {
            locality = Locality.build(g, mg.binding(), config.locality(), config.locality().perceptualWeight() != 0 ? perceptual : null);
            lb.add(LOCALITY, 1.0, locality.loss());
        }
        CompositeLoss loss = lb.build();
        double setup = Results.seconds(t0);
        log.debug("GANI graph built in {} s: {} modules, {} trained scalars", setup, layers.size(), gmm.parameterCount());

        List<String> outputs = new ArrayList<>();
        outputs.add(mg.image().name());
        gmm.offsets().values().forEach(v -> outputs.add(v.name()));
        Locality loc = locality;
        OptimisationLoop.Result run = mg.loop(loss, mg.adam(config.beta1(), config.beta2(), config.eps()))
                .task("gani").steps(config.maxSteps()).schedule(Schedule.constant(config.learningRate()))
                .finalEvaluation(true).outputs(outputs.toArray(String[]::new))
                .feed(step -> {
                    Map<String, INDArray> feed = new HashMap<>(mg.feedLatent(ws));
                    if (loc != null) feed.putAll(loc.placeholders(g, ws, config.seed() + step));
                    return feed;
                })
                .run(progress, cancel);
        Map<String, INDArray> offsets = new LinkedHashMap<>();
        gmm.offsets().forEach((n, v) -> offsets.put(n, run.last().outputs().get(v.name()).dup()));
        Map<String, INDArray> extras = new LinkedHashMap<>(gmm.values());
        extras.put(PARAMETER_COUNT, Nd4j.scalar(DataType.DOUBLE, (double) gmm.parameterCount()));
        log.debug("GANI: {} steps, {} -> {}", run.steps(), run.history().get(0), run.history().get(run.history().size() - 1));
        return new TuningResult(offsets, run.last().outputs().get(mg.image().name()), run, extras, setup);
    }

    /** PTI's reconstruction terms (L2 + perceptual) on {@code mg}'s image and target, with this config's weights. */
    private CompositeLoss.Builder reconstruction(MethodGraph mg) {
        return PivotalTuning.reconstructionLoss(mg, config.l2Weight(), config.perceptualWeight(), perceptual);
    }

    /**
     * The gradient of the reconstruction loss with respect to each of {@code layers} at the original
     * weights and the pivot (graph layout): one backward pass on a graph with zero offsets.
     */
    Map<String, INDArray> pivotGradient(Generator g, INDArray ws, INDArray target, List<String> layers) {
        MethodGraph mg = MethodGraph.builder(g).scope("gani_pivot/").latentPlaceholder(1).noiseMode(config.noiseMode())
                .tuneWeights(layers::contains).target(target).build();
        reconstruction(mg).build();
        Map<String, SDVariable> deltas = mg.offsets();
        Map<String, INDArray> grads = mg.sd().calculateGradients(mg.feedLatent(ws), deltas.values().stream().map(SDVariable::name).toList());
        Map<String, INDArray> out = new LinkedHashMap<>();
        deltas.forEach((n, v) -> out.put(n, grads.get(v.name()).castTo(DataType.FLOAT).dup('c')));
        return out;
    }
}
