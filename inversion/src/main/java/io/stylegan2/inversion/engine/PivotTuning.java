package io.stylegan2.inversion.engine;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A generator tuning around a fixed pivot latent (PTI's free offsets, GANI's modules): what
 * {@link PivotTuningInverter} runs after the pivot is found.
 *
 * <p><b>Thread safety:</b> Implementations must be safe to call from the thread that runs the
 * inversion; they need not be thread-safe. The shipped ones ({@code PivotalTuning},
 * {@code GaniTuning}) are immutable and build a fresh graph in every {@link #tune} call, so one
 * instance may serve several threads as long as the generator and perceptual distance allow it.
 */
public interface PivotTuning {
    /**
     * Runs the tuning.
     *
     * @param g        the generator (left unchanged)
     * @param pivot    one latent ({@code WPlus.one}: W+ {@code [1, num_ws, w_dim]}, or a w broadcast to every row)
     * @param target   {@code [1, C, R, R]} in [-1, 1] at the generator's resolution
     * @param progress one update per evaluation with the term values
     * @param cancel   checked between steps
     */
    TuningResult tune(Generator g, INDArray pivot, INDArray target, Progress progress, CancellationToken cancel);

    /** Without progress or cancellation. */
    default TuningResult tune(Generator g, INDArray pivot, INDArray target) {
        return tune(g, pivot, target, Progress.NONE, CancellationToken.NONE);
    }

    /** Noise mode of the tuned generator (saved with the reconstruction). */
    NoiseMode noiseMode();

    /** The settings (and what the run measured about itself) for the result's config. */
    Map<String, Object> settings(TuningResult run);

    /** One line on the run for the result's notes (e.g. "PTI 350 steps"). */
    String summary(TuningResult run);
}
