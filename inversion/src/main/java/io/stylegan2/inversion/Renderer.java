package io.stylegan2.inversion;

import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Draws one {@link Reconstruction} and edits of its latent. {@link ReconstructionRenderer} is the
 * shared implementation every shipped method uses; a method whose reconstruction needs more than a
 * latent, hook values and weight offsets supplies its own through {@link InversionMethod#renderer}.
 *
 * <p><b>Thread safety:</b> Implementations need not be thread-safe: use a renderer from one thread
 * unless its class says otherwise ({@link ReconstructionRenderer}, the shared one, is thread-safe).
 */
public interface Renderer extends AutoCloseable {
    /** The reconstruction's own image {@code [1, C, R, R]} float32 (raw generator range). */
    INDArray render();

    /** Another W+ code (an edit of the latent), everything else as saved: {@code [N, num_ws, w_dim]} to {@code [N, C, R, R]}. */
    INDArray render(INDArray ws);

    /** As {@link #render(INDArray)} with {@code noise} for every layer instead of the saved noise. */
    INDArray render(INDArray ws, NoiseMode noise, long noiseSeed);

    @Override
    void close();
}
