package io.stylegan2.inversion.pti;

import io.stylegan2.losses.Locality;
import io.stylegan2.stylegan.NoiseMode;

import java.nio.file.Path;

/**
 * The {@code pti} method's options ({@code --option KEY=VALUE}; {@code --steps} sets the tuning steps).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param pivotMethod the registered method that finds the pivot ({@code w}, the official projector, as PTI;
 *                    with {@code w} the pivot runs PTI's settings: 600 {@code w_avg} samples, peak lr 0.01)
 * @param pivotSteps  its steps (PTI: 450)
 * @param encoder     start from a trained encoder instead (a file from {@code train-encoder})
 * @param iterations  the encoder's ReStyle iterations
 * @param init        start from a saved result instead (a result file or an {@code invert --out} folder)
 * @param lr          Adam learning rate of the offsets (3e-4)
 * @param threshold   stop once LPIPS is at most this (0.06; 0 = run every step)
 * @param l2          weight of the MSE (1)
 * @param lpips       weight of the perceptual distance (1)
 * @param locality    PTI's locality regulariser ({@link Locality.Config#pti()}), off by default as in PTI
 * @param noiseMode   noise of the tuned generator: {@code const} (PTI) or {@code none}
 * @param seed        seed of the regulariser's latents
 */
public record PtiOptions(String pivotMethod, int pivotSteps, Path encoder, int iterations, Path init,
                         double lr, double threshold, double l2, double lpips, boolean locality, NoiseMode noiseMode, long seed) {

    public PtiOptions {
        if (pivotSteps < 1) throw new IllegalArgumentException("pivot-steps must be >= 1, got " + pivotSteps);
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("noise-mode must be const or none (PTI tunes with fixed noise), got random");
    }

    public static PtiOptions defaults() {
        PtiConfig d = PtiConfig.defaults();
        return new PtiOptions("w", 450, null, 3, null, d.learningRate(), d.perceptualThreshold(), d.l2Weight(), d.perceptualWeight(),
                false, d.noiseMode(), d.seed());
    }

    /** The tuning settings, with {@code maxSteps} tuning steps. */
    public PtiConfig config(int maxSteps) {
        return new PtiConfig(maxSteps, lr, 0.9, 0.999, 1e-8, threshold, l2, lpips, locality ? Locality.Config.pti() : null, 1, noiseMode, seed);
    }
}
