package io.stylegan2.inversion.gani;

import io.stylegan2.losses.Locality;
import io.stylegan2.stylegan.NoiseMode;

import java.nio.file.Path;

/**
 * The {@code gani} method's options ({@code --option KEY=VALUE}; {@code --steps} sets the tuning steps).
 * The pivot options read as PTI's.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param pivotMethod the registered method that finds the pivot ({@code w}, the official projector with PTI's settings)
 * @param pivotSteps  its steps (450, as PTI)
 * @param encoder     start from a trained encoder instead (a file from {@code train-encoder})
 * @param iterations  the encoder's ReStyle iterations
 * @param init        start from a saved result instead (a result file or an {@code invert --out} folder)
 * @param input       what the modules read: {@code gradient} (the loss gradient at the pivot), {@code weights}, or {@code both}
 * @param layers      which weights get a module: {@code convs-and-torgb} or {@code convs}
 * @param sharing     what one row of a module is: {@code filters} (one per output channel) or {@code kernels} (one per kH x kW kernel)
 * @param width       hidden units per module
 * @param lr          Adam learning rate of the module parameters
 * @param l2          weight of the MSE
 * @param lpips       weight of the perceptual distance
 * @param locality    add PTI's locality regulariser ({@link Locality.Config#pti()}); off by default
 * @param noiseMode   noise of the tuned generator: {@code const} or {@code none}
 * @param seed        seed of the modules' initialisation and the regulariser's latents
 */
public record GaniOptions(String pivotMethod, int pivotSteps, Path encoder, int iterations, Path init, GmmInput input, GmmLayers layers,
                          GmmSharing sharing, int width, double lr, double l2, double lpips, boolean locality, NoiseMode noiseMode, long seed) {

    public GaniOptions {
        if (pivotSteps < 1) throw new IllegalArgumentException("pivot-steps must be >= 1, got " + pivotSteps);
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("noise-mode must be const or none (GANI tunes with fixed noise), got random");
    }

    public static GaniOptions defaults() {
        GaniConfig d = GaniConfig.defaults();
        return new GaniOptions("w", 450, null, 3, null, d.input(), d.layers(), d.sharing(), d.width(), d.learningRate(), d.l2Weight(), d.perceptualWeight(),
                false, d.noiseMode(), d.seed());
    }

    /** The tuning settings, with {@code maxSteps} steps. */
    public GaniConfig config(int maxSteps) {
        return new GaniConfig(maxSteps, lr, 0.9, 0.999, 1e-8, input, layers, sharing, width, l2, lpips, locality ? Locality.Config.pti() : null, noiseMode, seed);
    }
}
