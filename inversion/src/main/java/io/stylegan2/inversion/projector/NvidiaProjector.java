package io.stylegan2.inversion.projector;

import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.inversion.CancellationToken;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.OptimisationLoop;
import io.stylegan2.inversion.PerceptualLoss;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.Timing;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.Regularisers;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
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
 * 256-px images in [0,255]; {@code PerceptualLoss.lpips(Lpips vgg)} on [-1,1] images is the same
 * distance); images larger than {@code perceptualResolution} are area-downsampled to it, smaller
 * ones are used at native size; without a perceptual distance (or for grayscale models) the pixel
 * MSE replaces it and the result's notes say so. The output is the final {@code w} (not the
 * per-step trajectory) and the optimised noise maps as extras {@code noise/<layer>}.
 * History terms: {@code perceptual} or {@code mse}, {@code noise_reg}, {@code total}, {@code lr},
 * {@code latent_noise} (std of the added noise).
 */
public final class NvidiaProjector implements Inverter {
    /** Registry name. */
    public static final String NAME = "w";

    private final Generator g;
    private final PerceptualLoss perceptual;
    private final NvidiaConfig config;
    private WStatistics stats;

    /** @param perceptual perceptual distance (LPIPS-VGG for the official behaviour) or null for the MSE fallback */
    public NvidiaProjector(Generator g, PerceptualLoss perceptual, NvidiaConfig config) {
        this.g = g;
        this.perceptual = perceptual;
        this.config = config == null ? NvidiaConfig.defaults() : config;
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
        Projection.checkTarget(g, target);
        WStatistics st = statistics();
        int numWs = g.config().numWs(), wDim = g.config().wDim(), res = target.resolution();
        DataType dt = g.params().dataType();
        List<String> notes = new ArrayList<>();
        Random rnd = new Random(config.seed());

        SameDiff sd = SameDiff.create();
        ParamBinding params = ParamBinding.frozen(sd, g.params(), "G/");
        SDVariable w = sd.var("w", st.wAvg().castTo(dt).reshape(1, 1, wDim));
        SDVariable wNoise = sd.placeHolder("w_noise", dt, 1, 1, wDim);
        SDVariable wn = w.add(wNoise);
        SDVariable[] rows = new SDVariable[numWs];
        java.util.Arrays.fill(rows, wn);
        SDVariable ws = sd.concat(1, rows);

        Map<String, SDVariable> noise = new LinkedHashMap<>();
        SynthesisHooks.Builder hb = SynthesisHooks.builder();
        for (String l : g.synthesisNetwork().convLayers()) {
            int r = SynthesisNetwork.resolutionOf(l);
            double[] v = new double[r * r];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
            SDVariable n = sd.var("noise/" + l, Nd4j.create(v, new long[]{1, 1, r, r}, dt));
            noise.put(l, n);
            hb.noise(l, n);
        }
        SDVariable img = g.synthesisNetwork().build(params, ws, NoiseMode.CONST, hb.build(), SynthesisNetwork.Start.FULL).image();
        SDVariable recon = sd.identity("reconstruction", img);
        SDVariable tgt = sd.constant("target", target.image().castTo(dt));

        CompositeLoss.Builder lb = CompositeLoss.builder(sd);
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
        lb.add("noise_reg", config.noiseRegularizeWeight(), Regularisers.noise(noise));
        CompositeLoss loss = lb.build();

        List<String> names = new ArrayList<>();
        names.add("w");
        noise.values().forEach(n -> names.add(n.name()));
        Adam adam = new Adam(sd, names, config.beta1(), config.beta2(), config.epsilon());
        double setup = Projection.seconds(t0);

        double[] noiseStd = new double[config.steps()];
        long l0 = System.nanoTime();
        List<Map<String, Double>> history = OptimisationLoop.run(sd, loss, adam, config.steps(), i -> {
            noiseStd[i] = st.wStd() * config.latentNoiseFactor(i);
            double[] v = new double[wDim];
            for (int k = 0; k < wDim; k++) v[k] = rnd.nextGaussian() * noiseStd[i];
            return Map.of("w_noise", Nd4j.create(v, new long[]{1, 1, wDim}, dt));
        }, config::learningRate, i -> noise.values().forEach(n -> Regularisers.normaliseNoise(n.getArr())),
                NAME + " " + target.name(), progress, cancel);
        double loopSeconds = Projection.seconds(l0);
        List<Map<String, Double>> hist = new ArrayList<>(history.size());
        for (int i = 0; i < history.size(); i++) {
            Map<String, Double> m = new LinkedHashMap<>(history.get(i));
            m.put("latent_noise", noiseStd[i]);
            hist.add(m);
        }

        INDArray wOut = w.getArr().castTo(DataType.FLOAT).reshape(wDim).dup();
        INDArray wsOut = Projection.broadcast(wOut, numWs);
        INDArray reconstruction = sd.output(Map.of("w_noise", Nd4j.zeros(dt, 1, 1, wDim)), recon.name()).get(recon.name()).castTo(DataType.FLOAT).dup();
        Map<String, INDArray> extras = new LinkedHashMap<>();
        noise.forEach((l, n) -> extras.put("noise/" + l, n.getArr().castTo(DataType.FLOAT).dup()));
        ReconstructionMetrics metrics = ReconstructionMetrics.compute(target.image(), reconstruction, perceptual);
        Timing timing = new Timing(setup, Projection.seconds(t0), config.steps(), 1000 * loopSeconds / config.steps());
        Map<String, Object> cfg = new LinkedHashMap<>(Projection.configMap(config));
        cfg.put("w_std", st.wStd());
        return new InversionResult(NAME, target.name(), LatentSpace.W, wsOut, reconstruction, extras, cfg, hist, metrics, timing, notes);
    }

    /** Area (box) downsampling by an integer factor: mean over f x f cells. */
    static SDVariable areaDown(SDVariable x, int f, int channels, int outSize) {
        if (f == 1) return x;
        return x.reshape(-1, channels, outSize, f, outSize, f).mean(3, 5);
    }
}
