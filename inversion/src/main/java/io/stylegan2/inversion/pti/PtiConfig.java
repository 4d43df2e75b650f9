package io.stylegan2.inversion.pti;

import io.stylegan2.losses.Locality;
import io.stylegan2.stylegan.NoiseMode;

/**
 * Settings of {@link PivotalTuning}. {@link #defaults()} are PTI's ({@code configs/hyperparameters.py}
 * of danielroich/PTI): Adam lr 3e-4 (torch betas 0.9/0.999, eps 1e-8), at most 350 steps, stop as
 * soon as the perceptual term is {@code <= 0.06} (checked before each update, as PTI's coach does),
 * L2 weight 1, LPIPS weight 1, locality regulariser off, const noise.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param maxSteps            most Adam updates ({@code max_pti_steps} 350)
 * @param learningRate        Adam learning rate ({@code pti_learning_rate} 3e-4)
 * @param beta1               Adam beta1 (0.9)
 * @param beta2               Adam beta2 (0.999)
 * @param eps                 Adam epsilon (1e-8)
 * @param perceptualThreshold early stop once the perceptual term is {@code <=} this
 *                            ({@code LPIPS_value_threshold} 0.06); {@code <= 0} or NaN never stops early
 * @param l2Weight            weight of the MSE to the target ({@code pt_l2_lambda} 1)
 * @param perceptualWeight    weight of the perceptual distance ({@code pt_lpips_lambda} 1)
 * @param locality            the locality regulariser's settings, or {@code null} for off (PTI's default,
 *                            {@code use_locality_regularization=False}); {@link Locality.Config#pti()} when on
 * @param localityInterval    apply the regulariser every this many steps ({@code locality_regularization_interval} 1)
 * @param noiseMode           noise of the tuned forward pass: {@code CONST} (PTI) or {@code NONE}
 * @param seed                seed of the regulariser's latents (step {@code i} uses {@code seed + i})
 */
public record PtiConfig(int maxSteps, double learningRate, double beta1, double beta2, double eps,
                        double perceptualThreshold, double l2Weight, double perceptualWeight,
                        Locality.Config locality, int localityInterval, NoiseMode noiseMode, long seed) {

    public PtiConfig {
        if (maxSteps < 0) throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (!Double.isFinite(l2Weight) || !Double.isFinite(perceptualWeight)) throw new IllegalArgumentException("loss weights must be finite");
        if (localityInterval < 1) throw new IllegalArgumentException("localityInterval must be >= 1, got " + localityInterval);
        if (noiseMode == null) noiseMode = NoiseMode.CONST;
        if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("PTI tunes with noise mode CONST (or NONE), not RANDOM");
    }

    /** PTI's defaults. */
    public static PtiConfig defaults() {
        return new PtiConfig(350, 3e-4, 0.9, 0.999, 1e-8, 0.06, 1.0, 1.0, null, 1, NoiseMode.CONST, 0);
    }

    /** Whether the locality regulariser is on. */
    public boolean localityOn() {
        return locality != null;
    }

    public PtiConfig withMaxSteps(int n) {
        return new PtiConfig(n, learningRate, beta1, beta2, eps, perceptualThreshold, l2Weight, perceptualWeight, locality, localityInterval, noiseMode, seed);
    }

    public PtiConfig withLearningRate(double lr) {
        return new PtiConfig(maxSteps, lr, beta1, beta2, eps, perceptualThreshold, l2Weight, perceptualWeight, locality, localityInterval, noiseMode, seed);
    }

    /** {@code <= 0} disables the early stop. */
    public PtiConfig withPerceptualThreshold(double t) {
        return new PtiConfig(maxSteps, learningRate, beta1, beta2, eps, t, l2Weight, perceptualWeight, locality, localityInterval, noiseMode, seed);
    }

    public PtiConfig withWeights(double l2, double perceptual) {
        return new PtiConfig(maxSteps, learningRate, beta1, beta2, eps, perceptualThreshold, l2, perceptual, locality, localityInterval, noiseMode, seed);
    }

    /** Turns the locality regulariser on with these settings ({@code null}: off). */
    public PtiConfig withLocality(Locality.Config c) {
        return new PtiConfig(maxSteps, learningRate, beta1, beta2, eps, perceptualThreshold, l2Weight, perceptualWeight, c, localityInterval, noiseMode, seed);
    }

    public PtiConfig withLocalityInterval(int every) {
        return new PtiConfig(maxSteps, learningRate, beta1, beta2, eps, perceptualThreshold, l2Weight, perceptualWeight, locality, every, noiseMode, seed);
    }

    public PtiConfig withNoiseMode(NoiseMode m) {
        return new PtiConfig(maxSteps, learningRate, beta1, beta2, eps, perceptualThreshold, l2Weight, perceptualWeight, locality, localityInterval, m, seed);
    }

    public PtiConfig withSeed(long s) {
        return new PtiConfig(maxSteps, learningRate, beta1, beta2, eps, perceptualThreshold, l2Weight, perceptualWeight, locality, localityInterval, noiseMode, s);
    }
}
