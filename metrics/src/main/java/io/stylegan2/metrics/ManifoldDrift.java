package io.stylegan2.metrics;

import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PatchedGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * Manifold drift after generator tuning: how much a tuned generator ({@code theta + delta}, e.g.
 * after PTI or near-perfect inversion) changes images of <em>other</em> latents. Renders
 * {@code n} fixed random latents ({@code z ~ N(0, I)} from {@code seed}, mapped by the frozen
 * mapping network, truncation psi 1, const noise) with the original and the tuned synthesis and
 * reports the mean MSE ([-1, 1] convention) and, when a perceptual distance is given, its mean
 * (LPIPS in the papers). The quantity the global-cohesion ablation of near-perfect inversion is about.
 *
 * <p><b>Thread safety:</b> Stateless; safe to call from any thread (the {@link Generator} and the
 * library's perceptual distances serialise their calls).
 */
public final class ManifoldDrift {
    private ManifoldDrift() {}

    /**
     * @param mse        mean per-image MSE between original and tuned images ([-1, 1] convention)
     * @param perceptual mean perceptual distance, when one was given
     * @param perceptualName its name (e.g. "lpips-alex"), or null
     * @param samples    number of latents
     */
    public record Result(double mse, OptionalDouble perceptual, String perceptualName, int samples) {
    }

    /**
     * @param g          the original generator (frozen weights)
     * @param deltas     weight offsets by canonical parameter name, in graph layout (as trained through
     *                   {@code io.stylegan2.stylegan.WeightOffsets})
     * @param samples    number of latents (> 0)
     * @param seed       latent seed; the same seed gives the same latents
     * @param batch      images per forward pass
     * @param perceptual the perceptual distance also measured
     */
    public static Result measure(Generator g, Map<String, INDArray> deltas, int samples, long seed, int batch, PerceptualLoss perceptual) {
        return drift(g, deltas, samples, seed, batch, java.util.Objects.requireNonNull(perceptual, "perceptual (use the overload without it for MSE only)"));
    }

    /** {@link #measure(Generator, Map, int, long, int, PerceptualLoss)} with the MSE only. */
    public static Result measure(Generator g, Map<String, INDArray> deltas, int samples, long seed, int batch) {
        return drift(g, deltas, samples, seed, batch, null);
    }

    private static Result drift(Generator g, Map<String, INDArray> deltas, int samples, long seed, int batch, PerceptualLoss perceptual) {
        if (samples <= 0 || batch <= 0) throw new IllegalArgumentException("samples and batch must be > 0, got " + samples + ", " + batch);
        INDArray z = io.stylegan2.core.Seeds.randn(seed, g.params().dataType(), samples, g.config().zDim());
        double mseSum = 0, pSum = 0;
        try (PatchedGenerator tuned = new PatchedGenerator(g, deltas)) {
            for (int from = 0; from < samples; from += batch) {
                int to = Math.min(samples, from + batch);
                INDArray w = g.mapping(z.get(NDArrayIndex.interval(from, to)), 1.0);
                INDArray orig = g.synthesis(w, NoiseMode.CONST, 0);
                INDArray tun = tuned.synthesis(w, NoiseMode.CONST, 0);
                for (double v : Mse.perImage(tun, orig)) mseSum += v;
                if (perceptual != null) pSum += perceptual.distance(tun, orig).sumNumber().doubleValue();
            }
        }
        return new Result(mseSum / samples, perceptual == null ? OptionalDouble.empty() : OptionalDouble.of(pSum / samples),
                perceptual == null ? null : perceptual.name(), samples);
    }
}
