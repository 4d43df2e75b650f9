package io.stylegan2.inversion.projector;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.Regularisers;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The official StyleGAN2-ADA projector (METHODS 6.1), re-implemented: one {@code w} (W space,
 * broadcast to every row) starting at {@code w_avg}, plus every noise map (N(0,1) start), optimised by
 * Adam with the ramp-up / cosine ramp-down learning rate; Gaussian latent noise of std
 * {@code w_std * 0.05 * max(0, 1 - t/0.75)^2} is added to {@code w} each step; loss = perceptual
 * distance + 1e5 * multi-scale noise regulariser; the noise maps are re-standardised after each step.
 *
 * <p>Adaptations: the perceptual distance is pluggable (NVIDIA uses its TorchScript VGG-16 LPIPS on
 * 256-px images in [0,255]; LPIPS-VGG on [-1,1] images is the same distance); images larger than
 * {@code perceptualResolution} are area-downsampled to it, smaller ones are used at native size;
 * without a perceptual distance (or for grayscale models) the pixel MSE replaces it and the result's
 * notes say so. The result's latent is the final {@code w} (not the per-step trajectory); the
 * optimised noise maps are its hook values (they draw the reconstruction).
 * History terms: {@code perceptual} or {@code mse}, {@code noise_reg}, {@code total}, {@code lr},
 * {@code latent_noise} (std of the added noise).
 *
 * <p><b>Thread safety:</b> Thread-safe when its perceptual distance is ({@code Lpips} is): the
 * {@code w} statistics are computed once under the instance lock ({@link #statistics()}), and every
 * {@link #invertOne} builds and trains its own graph with its own seeded random source; the
 * {@link Generator} serialises its calls, so concurrent calls and other inverters may share it.
 */
public final class NvidiaProjector implements Inverter {
    /** Registry name. */
    public static final String NAME = "w";

    private final Generator g;
    private final PerceptualLoss perceptual;
    private final NvidiaConfig config;
    private WStatistics stats;

    /** A projector with the MSE fallback (no perceptual distance). */
    public NvidiaProjector(Generator g, NvidiaConfig config) {
        this(g, java.util.Optional.empty(), config);
    }

    /**
     * A projector with a perceptual distance (LPIPS-VGG for the official behaviour).
     *
     * @param perceptual the perceptual distance (the caller keeps ownership)
     */
    public NvidiaProjector(Generator g, PerceptualLoss perceptual, NvidiaConfig config) {
        this(g, java.util.Optional.of(java.util.Objects.requireNonNull(perceptual, "perceptual (use the constructor without it for the MSE fallback)")), config);
    }

    /** A projector with the perceptual distance when one is present, else the MSE fallback (what the method registry builds). */
    public static NvidiaProjector of(Generator g, java.util.Optional<PerceptualLoss> perceptual, NvidiaConfig config) {
        return new NvidiaProjector(g, perceptual, config);
    }

    private NvidiaProjector(Generator g, java.util.Optional<PerceptualLoss> perceptual, NvidiaConfig config) {
        this.g = java.util.Objects.requireNonNull(g, "generator");
        this.perceptual = perceptual.orElse(null);
        this.config = java.util.Objects.requireNonNull(config, "config (NvidiaConfig.defaults() for the defaults)");
    }

    @Override
    public String name() {
        return NAME;
    }

    public NvidiaConfig config() {
        return config;
    }

    /** The {@code w} statistics (computed once per projector, on first use). */
    public synchronized WStatistics statistics() {
        if (stats == null) stats = WStatistics.compute(g, config.wAvgSamples(), config.wStatsSeed());
        return stats;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) {
        long t0 = System.nanoTime();
        target.requireFits(g.config());
        WStatistics st = statistics();
        int wDim = g.config().wDim(), res = target.resolution();
        DataType dt = g.params().dataType();
        List<String> notes = new ArrayList<>();
        Random rnd = new Random(config.seed());

        Map<String, INDArray> noiseInit = new LinkedHashMap<>();
        for (String l : g.synthesisNetwork().convLayers()) {
            int r = SynthesisNetwork.resolutionOf(l);
            double[] v = new double[r * r];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
            noiseInit.put(l, Nd4j.create(v, new long[]{1, 1, r, r}, dt));
        }
        MethodGraph mg = MethodGraph.builder(g).paramPrefix("G/").latentW(st.wAvg(), true).trainableNoise(noiseInit).target(target.image()).build();
        SDVariable img = mg.image(), tgt = mg.target();
        CompositeLoss.Builder lb = mg.loss();
        if (perceptual != null && target.channels() == 3) {
            int f = res > config.perceptualResolution() ? res / config.perceptualResolution() : 1;
            if (f > 1 && res % config.perceptualResolution() != 0)
                throw new IllegalArgumentException("resolution " + res + " is not a multiple of perceptualResolution " + config.perceptualResolution());
            int s = res / f;
            lb.add("perceptual", 1.0, perceptual.distance(areaDown(img, f, target.channels(), s), areaDown(tgt, f, target.channels(), s), s, s).sum());
            notes.add("perceptual distance: " + perceptual.name() + " at " + s + "x" + s);
        } else {
            lb.add("mse", config.mseFallbackWeight(), Pixelwise.mse(img, tgt));
            notes.add(perceptual == null ? "no perceptual distance (LPIPS weights) supplied: pixel MSE used instead of LPIPS"
                    : "grayscale target: pixel MSE used instead of " + perceptual.name());
        }
        lb.add("noise_reg", config.noiseRegularizeWeight(), Regularisers.noise(mg.noise()));
        CompositeLoss loss = lb.build();
        double setup = Results.seconds(t0);

        double[] noiseStd = new double[config.steps()];
        String wNoise = mg.latentNoisePlaceholder();
        OptimisationLoop.Result run = mg.loop(loss, mg.adam(config.beta1(), config.beta2(), config.epsilon()))
                .task(NAME + " " + target.name()).steps(config.steps()).schedule(config.schedule())
                .feed(i -> {
                    noiseStd[i] = st.wStd() * config.latentNoiseFactor(i);
                    double[] v = new double[wDim];
                    for (int k = 0; k < wDim; k++) v[k] = rnd.nextGaussian() * noiseStd[i];
                    return Map.of(wNoise, Nd4j.create(v, new long[]{1, 1, wDim}, dt));
                })
                .afterUpdate((i, e) -> {
                    mg.noise().values().forEach(n -> Regularisers.normaliseNoise(n.getArr()));
                    return Map.of("latent_noise", noiseStd[i]);
                })
                .run(progress, cancel);

        Reconstruction r = new Reconstruction(mg.latent(), mg.hookState(), Map.of(), Map.of());
        Map<String, Object> cfg = new LinkedHashMap<>(MethodOptions.asMap(config));
        cfg.put("w_std", st.wStd());
        return Results.finish(NAME, target, g, r, java.util.Optional.ofNullable(perceptual), cfg, run.history(), setup, run.steps(),
                1000 * run.seconds() / config.steps(), notes, t0);
    }

    /** Area (box) downsampling by an integer factor: mean over f x f cells. */
    static SDVariable areaDown(SDVariable x, int f, int channels, int outSize) {
        if (f == 1) return x;
        return x.reshape(-1, channels, outSize, f, outSize, f).mean(3, 5);
    }
}
