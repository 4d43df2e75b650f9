package io.stylegan2.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A learned perceptual distance between RGB images in {@code [-1, 1]}, the one shape it takes in
 * the project: built into an optimisation graph (inversion and tuning losses, PTI's locality term)
 * and evaluated on arrays (metrics, drift reports). {@link io.stylegan2.losses.lpips.Lpips} (LPIPS
 * v0.1) is the implementation.
 *
 * <p><b>Thread safety:</b> The array {@code distance} of the implementations in this library is
 * safe to call from any thread ({@code Lpips} serialises calls); the graph {@code distance} adds
 * ops to {@code x}'s SameDiff, which is not thread-safe: build one graph from one thread.
 */
public interface PerceptualLoss {
    /** A short name reported with the values, e.g. {@code lpips-alex}. */
    String name();

    /**
     * Distances of corresponding images.
     *
     * @param x {@code [N, 3, H, W]} in [-1, 1]
     * @param y {@code [N, 3, H, W]} in [-1, 1]
     * @return {@code [N]}
     */
    INDArray distance(INDArray x, INDArray y);

    /**
     * Builds the distance into {@code x}'s graph (op outputs have no static shape in SameDiff M2.1,
     * hence the size).
     *
     * @return {@code [N]} distances
     */
    SDVariable distance(SDVariable x, SDVariable y, int height, int width);
}
