package io.stylegan2.losses;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of {@link LaplacianPyramidLoss}.
 *
 * <p><b>Thread safety:</b> Immutable (the weights are copied into an unmodifiable list); safe to
 * share between threads.
 *
 * @param levels  number of pyramid levels {@code J >= 1} (level 0 = full resolution; the last level
 *                is the coarsest Gaussian, {@code H / 2^(J-1)} pixels); image sides must be divisible
 *                by {@code 2^(J-1)}
 * @param norm    per-level distance: {@link Norm#L1} (mean |.|, GLO's Lap1) or {@link Norm#L2} (mean square)
 * @param weights one weight per level, finest first ({@code size == levels})
 */
public record LaplacianPyramidConfig(int levels, Norm norm, List<Double> weights) {
    /** Per-level distance. */
    public enum Norm { L1, L2 }

    /** The coarsest level targeted by {@link #defaultsFor}: 8 px (or the image itself if smaller). */
    public static final int COARSEST = 8;

    public LaplacianPyramidConfig {
        if (levels < 1) throw new IllegalArgumentException("Laplacian pyramid needs >= 1 level, got " + levels);
        if (norm == null) throw new IllegalArgumentException("Laplacian pyramid norm must be L1 or L2");
        weights = List.copyOf(weights == null ? glo(levels) : weights);
        if (weights.size() != levels)
            throw new IllegalArgumentException("Laplacian pyramid: " + weights.size() + " weights for " + levels + " levels");
        for (double w : weights) if (!Double.isFinite(w)) throw new IllegalArgumentException("Laplacian pyramid weights must be finite: " + weights);
    }

    /** {@code levels} levels with the norm and GLO-style weights {@code 2^(-2j)}. */
    public static LaplacianPyramidConfig of(int levels, Norm norm) {
        return new LaplacianPyramidConfig(levels, norm, null);
    }

    /**
     * Defaults for square images of side {@code resolution}: L1, weights {@code 2^(-2j)}, and
     * {@code J = log2(resolution) - 2} levels so the coarsest level is 8 px (1 level below 16 px):
     * 16 -> 2, 256 -> 6, 1024 -> 8.
     */
    public static LaplacianPyramidConfig defaultsFor(int resolution) {
        if (resolution < 1) throw new IllegalArgumentException("resolution must be >= 1, got " + resolution);
        int levels = 1;
        while (resolution >> levels >= COARSEST && resolution % (1 << levels) == 0) levels++;
        return of(levels, Norm.L1);
    }

    /** GLO's Lap1 level weights {@code 2^(-2j)}, {@code j = 0} finest. */
    public static List<Double> glo(int levels) {
        List<Double> w = new ArrayList<>();
        for (int j = 0; j < levels; j++) w.add(Math.pow(2, -2.0 * j));
        return w;
    }
}
