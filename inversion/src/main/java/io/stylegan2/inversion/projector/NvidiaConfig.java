package io.stylegan2.inversion.projector;

import io.stylegan2.core.optim.Schedule;

/**
 * The official StyleGAN2-ADA projector's settings (METHODS 6.1; {@code projector.py} defaults),
 * also the {@code w} method's options record ({@code --option initial-learning-rate=0.05}, ...).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param steps                 optimisation steps (1000)
 * @param initialLearningRate   peak Adam learning rate (0.1)
 * @param beta1                 Adam beta1 (0.9)
 * @param beta2                 Adam beta2 (0.999)
 * @param epsilon               Adam epsilon (1e-8, torch's default)
 * @param lrRampUp              fraction of the run for the linear warm-up (0.05)
 * @param lrRampDown            fraction of the run for the cosine ramp-down (0.25)
 * @param initialNoiseFactor    latent noise std at step 0, in units of {@code w_std} (0.05)
 * @param noiseRampLength       fraction of the run over which the latent noise decays (quadratically) to 0 (0.75)
 * @param noiseRegularizeWeight weight of the multi-scale noise regulariser (1e5)
 * @param wAvgSamples           z samples for the {@code w} statistics (10 000)
 * @param wStatsSeed            numpy {@code RandomState} seed of those samples (123)
 * @param seed                  seed of the initial noise maps and of the per-step latent noise (303, the CLI default)
 * @param perceptualResolution  images larger than this are area-downsampled to it before the
 *                              perceptual distance (256); smaller images are used at native size
 * @param mseFallbackWeight     weight of the pixel MSE ({@code [-1, 1]} images) used instead of the
 *                              perceptual distance when none is available (1)
 */
public record NvidiaConfig(int steps, double initialLearningRate, double beta1, double beta2, double epsilon,
                           double lrRampUp, double lrRampDown, double initialNoiseFactor, double noiseRampLength,
                           double noiseRegularizeWeight, int wAvgSamples, long wStatsSeed, long seed,
                           int perceptualResolution, double mseFallbackWeight) {
    public NvidiaConfig {
        if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        if (!(initialLearningRate > 0)) throw new IllegalArgumentException("learning rate must be > 0");
        if (!(lrRampUp > 0 && lrRampDown > 0 && noiseRampLength > 0)) throw new IllegalArgumentException("ramp lengths must be > 0");
        if (wAvgSamples < 1) throw new IllegalArgumentException("wAvgSamples must be >= 1");
        if (perceptualResolution < 1) throw new IllegalArgumentException("perceptualResolution must be >= 1");
    }

    /** The official defaults. */
    public static NvidiaConfig defaults() {
        return new NvidiaConfig(1000, 0.1, 0.9, 0.999, 1e-8, 0.05, 0.25, 0.05, 0.75, 1e5, 10_000, 123, 303, 256, 1.0);
    }

    public NvidiaConfig withSteps(int n) {
        return new NvidiaConfig(n, initialLearningRate, beta1, beta2, epsilon, lrRampUp, lrRampDown, initialNoiseFactor,
                noiseRampLength, noiseRegularizeWeight, wAvgSamples, wStatsSeed, seed, perceptualResolution, mseFallbackWeight);
    }

    public NvidiaConfig withWAvgSamples(int n) {
        return new NvidiaConfig(steps, initialLearningRate, beta1, beta2, epsilon, lrRampUp, lrRampDown, initialNoiseFactor,
                noiseRampLength, noiseRegularizeWeight, n, wStatsSeed, seed, perceptualResolution, mseFallbackWeight);
    }

    /** The learning-rate schedule: peak times linear ramp-up times cosine ramp-down. */
    public Schedule schedule() {
        return new Schedule.NvidiaRamp(initialLearningRate, lrRampUp, lrRampDown, steps);
    }

    /** Learning rate of {@code step} ({@link #schedule()}). */
    public double learningRate(int step) {
        return schedule().at(step);
    }

    /** Std of the latent noise at {@code step}, in units of {@code w_std}. */
    public double latentNoiseFactor(int step) {
        double t = (double) step / steps;
        double f = Math.max(0.0, 1.0 - t / noiseRampLength);
        return initialNoiseFactor * f * f;
    }
}
