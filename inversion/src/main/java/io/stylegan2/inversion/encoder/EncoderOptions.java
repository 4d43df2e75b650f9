package io.stylegan2.inversion.encoder;

import java.nio.file.Path;

/**
 * The {@code encoder} method's options.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param encoder    the trained encoder ({@code encoder.safetensors} from {@code train-encoder}); required
 * @param iterations ReStyle iterations (3, the measured best for the default training)
 */
public record EncoderOptions(Path encoder, int iterations) {
    public EncoderOptions {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
    }
}
