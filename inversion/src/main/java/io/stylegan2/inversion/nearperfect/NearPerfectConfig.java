package io.stylegan2.inversion.nearperfect;

import io.stylegan2.losses.LaplacianPyramidConfig;
import io.stylegan2.stylegan.NoiseMode;

/**
 * Settings of {@link NearPerfectTuning}. The paper gives none of these numbers; {@link #defaults()}
 * are ours, chosen with the sweep recorded in {@code inversion/NEAR_PERFECT.md}.
 *
 * <pre>
 *   L_G = reconWeight * L_lap(x, G_theta(w)) + advWeight * softplus(-D(G_theta(w))) + globalWeight * mean_j softplus(-D(G_theta(w_j)))
 * </pre>
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param maxSteps      most generator updates (the step budget)
 * @param learningRate  Adam learning rate of the weight offsets
 * @param beta1         Adam beta1 of the offsets
 * @param beta2         Adam beta2 of the offsets
 * @param pyramid       Laplacian pyramid of L_recon, or {@code null} for {@link LaplacianPyramidConfig#defaultsFor}
 *                      the generator's resolution (L1, levels down to 8 px, weights 2^-2j)
 * @param reconWeight   weight of L_recon (1; 0 only for the ablation "without L_recon")
 * @param advWeight     lambda_adv, weight of the local adversarial term (0 = off)
 * @param globalWeight  lambda_glob, weight of the global cohesion term (0 = off)
 * @param globalSamples fresh latents w_j per step for the global term
 * @param truncationPsi truncation of the w_j (1 = none)
 * @param discriminator frozen checkpoint D, or alternating D steps with R1
 * @param dLearningRate Adam learning rate of the discriminator copy ({@link DiscriminatorMode#ALTERNATING}; betas 0 / 0.99 as StyleGAN2)
 * @param r1Gamma       R1 weight on the discriminator's reals ({@link DiscriminatorMode#ALTERNATING}); 0 = no R1
 * @param r1Interval    lazy R1 (StyleGAN2's {@code D_reg_interval}): an extra discriminator step on {@code r1Interval * R1}
 *                      every {@code r1Interval} steps; 1 = R1 in every step's loss
 * @param targetMse     stop as soon as the reconstruction's MSE ([-1, 1] range, unclamped) is {@code <=} this;
 *                      {@code <= 0} runs the whole budget
 * @param noiseMode     noise of every synthesis: {@code CONST} or {@code NONE}
 * @param seed          seed of the w_j (step {@code i} draws with {@code seed + i})
 */
public record NearPerfectConfig(int maxSteps, double learningRate, double beta1, double beta2, LaplacianPyramidConfig pyramid,
                                double reconWeight, double advWeight, double globalWeight, int globalSamples, double truncationPsi,
                                DiscriminatorMode discriminator, double dLearningRate, double r1Gamma, int r1Interval, double targetMse,
                                NoiseMode noiseMode, long seed) {

    public NearPerfectConfig {
        if (maxSteps < 0) throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (!(reconWeight >= 0) || !(advWeight >= 0) || !(globalWeight >= 0) || Double.isInfinite(reconWeight + advWeight + globalWeight))
            throw new IllegalArgumentException("loss weights must be finite and >= 0, got recon " + reconWeight + ", adv " + advWeight + ", global " + globalWeight);
        if (reconWeight + advWeight + globalWeight == 0) throw new IllegalArgumentException("at least one loss weight must be > 0");
        if (globalSamples < 1) throw new IllegalArgumentException("globalSamples must be >= 1, got " + globalSamples);
        if (discriminator == null) discriminator = DiscriminatorMode.FROZEN;
        if (!(dLearningRate > 0) || !Double.isFinite(dLearningRate)) throw new IllegalArgumentException("dLearningRate must be > 0, got " + dLearningRate);
        if (!(r1Gamma >= 0) || Double.isInfinite(r1Gamma)) throw new IllegalArgumentException("r1Gamma must be finite and >= 0, got " + r1Gamma);
        if (r1Interval < 1) throw new IllegalArgumentException("r1Interval must be >= 1, got " + r1Interval);
        if (noiseMode == null) noiseMode = NoiseMode.CONST;
        if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("near-perfect tunes with noise mode CONST (or NONE), not RANDOM");
    }

    /** Our defaults (see the sweep in {@code inversion/NEAR_PERFECT.md}). */
    public static NearPerfectConfig defaults() {
        return new NearPerfectConfig(300, 2e-3, 0.9, 0.999, null, 1.0, 0.01, 0.03, 4, 1.0,
                DiscriminatorMode.ALTERNATING, 1e-2, 1.0, 16, 0, NoiseMode.CONST, 0);
    }

    /** The pyramid for {@code resolution}. */
    public LaplacianPyramidConfig pyramidFor(int resolution) {
        return pyramid != null ? pyramid : LaplacianPyramidConfig.defaultsFor(resolution);
    }

    public NearPerfectConfig withMaxSteps(int n) {
        return new NearPerfectConfig(n, learningRate, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, globalSamples, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, seed);
    }

    public NearPerfectConfig withLearningRate(double lr) {
        return new NearPerfectConfig(maxSteps, lr, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, globalSamples, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, seed);
    }

    public NearPerfectConfig withPyramid(LaplacianPyramidConfig p) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, p, reconWeight, advWeight, globalWeight, globalSamples, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, seed);
    }

    /** The three loss weights (recon, lambda_adv, lambda_glob). */
    public NearPerfectConfig withWeights(double recon, double adv, double global) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, pyramid, recon, adv, global, globalSamples, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, seed);
    }

    public NearPerfectConfig withGlobalSamples(int n) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, n, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, seed);
    }

    public NearPerfectConfig withTruncationPsi(double psi) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, globalSamples, psi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, seed);
    }

    /** Discriminator mode with its learning rate and R1 weight (the last two only matter for {@code ALTERNATING}). */
    public NearPerfectConfig withDiscriminator(DiscriminatorMode mode, double dLr, double gamma) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, globalSamples, truncationPsi, mode, dLr, gamma, r1Interval, targetMse, noiseMode, seed);
    }

    public NearPerfectConfig withDiscriminator(DiscriminatorMode mode) {
        return withDiscriminator(mode, dLearningRate, r1Gamma);
    }

    /** {@code <= 0}: no early stop. */
    public NearPerfectConfig withTargetMse(double mse) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, globalSamples, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, mse, noiseMode, seed);
    }

    public NearPerfectConfig withSeed(long s) {
        return new NearPerfectConfig(maxSteps, learningRate, beta1, beta2, pyramid, reconWeight, advWeight, globalWeight, globalSamples, truncationPsi, discriminator, dLearningRate, r1Gamma, r1Interval, targetMse, noiseMode, s);
    }
}
