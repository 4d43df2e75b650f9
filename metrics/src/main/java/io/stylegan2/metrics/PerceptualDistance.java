package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learned perceptual distance between image batches, e.g. LPIPS
 * ({@code io.stylegan2.losses.lpips.Lpips}, wired in later). Plugged into {@link ImageMetrics}.
 */
public interface PerceptualDistance {
    /** A short name reported with the values, e.g. {@code "lpips-alex"}. */
    String name();

    /**
     * Distances of corresponding images.
     *
     * @param x {@code [N,3,H,W]} in [-1, 1]
     * @param y {@code [N,3,H,W]} in [-1, 1]
     * @return {@code [N]}
     */
    INDArray distance(INDArray x, INDArray y);
}
