package io.stylegan2.inversion.nearperfect;

import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.metrics.DiscriminatorFeatures;
import io.stylegan2.metrics.FrechetDistance;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PatchedGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a generator fine-tuning did to the rest of the manifold and how real its reconstruction
 * looks, measured on the original generator and the checkpoint's (never the tuned) discriminator:
 * <ul>
 *   <li>{@code drift_mse} / {@code drift_<perceptual>}: {@link ManifoldDrift} on {@code samples} fixed latents
 *       (the same image pairs, original vs tuned; 0 = nothing moved);</li>
 *   <li>{@code fd_discriminator}: Frechet distance of {@link DiscriminatorFeatures} between the original and the
 *       tuned generator's samples of the same latents (an FID-like score; not FID: no Inception weights here);</li>
 *   <li>{@code d_logit_reconstruction}, {@code d_logit_target}: the discriminator's logit of the reconstruction and of the
 *       target (higher = more real to D);</li>
 *   <li>{@code d_logit_samples_original}, {@code d_logit_samples_tuned}: its mean logit on the two sample sets.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> Immutable: {@code values} is an unmodifiable copy. {@link #measure} is
 * stateless and safe to call from any thread (it builds its own patched generator and feature
 * extractor; the generator and discriminator serialise their calls); a shared perceptual distance
 * must be safe to call concurrently ({@code Lpips} is).
 *
 * @param values the numbers above by name (absent when not measurable, e.g. without a discriminator)
 */
public record TuningReport(Map<String, Double> values) {
    /** Latents of the default report. */
    public static final int DEFAULT_SAMPLES = 64;

    public TuningReport {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * @param g          the original generator
     * @param d          the checkpoint's discriminator, or null (only the drift is then reported)
     * @param offsets    the weight offsets (graph layout)
     * @param recon      the reconstruction {@code [1, C, R, R]}, or null
     * @param target     the target {@code [1, C, R, R]}, or null
     * @param perceptual the drift's perceptual distance, if any
     * @param samples    latents ({@code >= 2}; the Frechet distance wants more than the feature width, 64 with the fixture D)
     * @param seed       latent seed
     */
    public static TuningReport measure(Generator g, Discriminator d, Map<String, INDArray> offsets, INDArray recon, INDArray target,
                                       java.util.Optional<PerceptualLoss> perceptual, int samples, long seed) {
        if (samples < 2) throw new IllegalArgumentException("the report needs >= 2 samples, got " + samples);
        Map<String, Double> v = new LinkedHashMap<>();
        ManifoldDrift.Result drift = perceptual.isPresent() ? ManifoldDrift.measure(g, offsets, samples, seed, 16, perceptual.get())
                : ManifoldDrift.measure(g, offsets, samples, seed, 16);
        v.put("drift_mse", drift.mse());
        OptionalDouble dp = drift.perceptual();
        if (dp.isPresent()) v.put("drift_" + drift.perceptualName(), dp.getAsDouble());
        if (d != null) {
            INDArray z = io.stylegan2.core.Seeds.randn(seed + 7919, g.params().dataType(), samples, g.config().zDim());
            INDArray ws = g.mapping(z, 1.0);
            INDArray original = Nd4j.create(g.params().dataType(), samples, g.config().imgChannels(), g.config().imgResolution(), g.config().imgResolution());
            INDArray tuned = original.like();
            try (PatchedGenerator tg = new PatchedGenerator(g, offsets)) {
                for (int from = 0; from < samples; from += 16) {
                    int to = Math.min(samples, from + 16);
                    INDArray w = ws.get(NDArrayIndex.interval(from, to));
                    original.get(NDArrayIndex.interval(from, to)).assign(g.synthesis(w, NoiseMode.CONST, 0));
                    tuned.get(NDArrayIndex.interval(from, to)).assign(tg.synthesis(w, NoiseMode.CONST, 0));
                }
            }
            v.put("fd_discriminator", new FrechetDistance(new DiscriminatorFeatures(d), 16).compute(original, tuned).value());
            if (recon != null) v.put("d_logit_reconstruction", d.logits(recon.castTo(d.params().dataType())).getDouble(0));
            if (target != null) v.put("d_logit_target", d.logits(target.castTo(d.params().dataType())).getDouble(0));
            v.put("d_logit_samples_original", meanLogit(d, original));
            v.put("d_logit_samples_tuned", meanLogit(d, tuned));
        }
        return new TuningReport(v);
    }

    private static double meanLogit(Discriminator d, INDArray images) {
        double s = 0;
        long n = images.size(0);
        for (long i = 0; i < n; i++) s += d.logits(images.get(NDArrayIndex.interval(i, i + 1))).getDouble(0);
        return s / n;
    }

    /** A value, or NaN. */
    public double get(String name) {
        Double x = values.get(name);
        return x == null ? Double.NaN : x;
    }

    /** One line, e.g. for a result note. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, x) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.5g", x)));
        return sb.toString();
    }

}
