package io.stylegan2.inversion;

import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.PerceptualDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A differentiable perceptual distance: built into an optimisation graph, and usable as an
 * evaluation metric ({@link PerceptualDistance}). Inputs are RGB {@code [N, 3, H, W]} in {@code [-1, 1]}.
 */
public interface PerceptualLoss extends PerceptualDistance {
    /**
     * Builds the distance into {@code x}'s graph.
     *
     * @return {@code [N]} distances
     */
    SDVariable distance(SDVariable x, SDVariable y, int height, int width);

    /** LPIPS v0.1 ({@code lpips-<net>}); the caller keeps ownership of {@code lpips}. */
    static PerceptualLoss lpips(Lpips lpips) {
        return new PerceptualLoss() {
            @Override public String name() {
                return "lpips-" + lpips.net().id();
            }

            @Override public INDArray distance(INDArray x, INDArray y) {
                return lpips.distance(x, y);
            }

            @Override public SDVariable distance(SDVariable x, SDVariable y, int height, int width) {
                return lpips.distance(x, y, height, width, false);
            }
        };
    }
}
