package io.stylegan2.inversion.wplus;

/**
 * Image2StyleGAN-style W+ optimisation (Abdal, Qin, Wonka, ICCV 2019; METHODS 6.2).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param steps            optimisation steps (paper: about 5000)
 * @param learningRate     Adam learning rate (paper: 0.01)
 * @param beta1            Adam beta1 (0.9)
 * @param beta2            Adam beta2 (0.999)
 * @param epsilon          Adam epsilon (1e-8)
 * @param mseWeight        weight of the pixel MSE on {@code [-1, 1]} images (paper: 1)
 * @param perceptualWeight weight of the perceptual distance when one is supplied (paper: 1, VGG-16
 *                         conv1_1/1_2/3_2/4_2 features; here the supplied {@code PerceptualLoss}, e.g. LPIPS-VGG)
 * @param paddedUpTo       0 for plain W+; else padding space is optimised with W+ (PadInv's
 *                         optimisation variant, {@code padinv-opt}): a border map per non-upsampling
 *                         3x3 conv up to this resolution (PadInv: 32), starting at zero padding
 */
public record WPlusConfig(int steps, double learningRate, double beta1, double beta2, double epsilon,
                          double mseWeight, double perceptualWeight, int paddedUpTo) {
    public WPlusConfig {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (!(mseWeight >= 0) || !(perceptualWeight >= 0)) throw new IllegalArgumentException("loss weights must be >= 0");
        if (paddedUpTo != 0 && (paddedUpTo < 4 || Integer.bitCount(paddedUpTo) != 1))
            throw new IllegalArgumentException("padded-up-to must be 0 (plain W+) or a power of two >= 4, got " + paddedUpTo);
    }

    /** The paper's defaults: 5000 steps, Adam(0.01, 0.9, 0.999, 1e-8), MSE 1 + perceptual 1. */
    public static WPlusConfig defaults() {
        return new WPlusConfig(5000, 0.01, 0.9, 0.999, 1e-8, 1.0, 1.0, 0);
    }

    public WPlusConfig withSteps(int n) {
        return new WPlusConfig(n, learningRate, beta1, beta2, epsilon, mseWeight, perceptualWeight, paddedUpTo);
    }

    public WPlusConfig withLearningRate(double lr) {
        return new WPlusConfig(steps, lr, beta1, beta2, epsilon, mseWeight, perceptualWeight, paddedUpTo);
    }

    /** With padding space up to {@code resolution} (0: plain W+). */
    public WPlusConfig withPaddedUpTo(int resolution) {
        return new WPlusConfig(steps, learningRate, beta1, beta2, epsilon, mseWeight, perceptualWeight, resolution);
    }
}
