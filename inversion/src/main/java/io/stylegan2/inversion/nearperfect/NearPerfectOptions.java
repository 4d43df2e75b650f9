package io.stylegan2.inversion.nearperfect;

import io.stylegan2.losses.LaplacianPyramidConfig;

import java.nio.file.Path;

/**
 * The {@code near-perfect} method's options ({@code --option KEY=VALUE}; {@code --steps} sets the
 * tuning budget). The initial latent comes from {@code encoder} (a trained ReStyle encoder), from
 * {@code init} (a saved result or an {@code invert --out} folder), or else from W+ optimisation for
 * {@code init-steps}; the rest are {@link NearPerfectConfig}'s settings under short names.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param encoder       trained encoder file, or none
 * @param iterations    its ReStyle iterations (5, as the paper)
 * @param init          saved result file or folder, or none
 * @param initSteps     steps of the W+ optimisation otherwise (200)
 * @param reportSamples latents of the drift / realism report ({@link TuningReport}; 0 = none)
 * @param lr            learning rate of the weight offsets
 * @param recon         weight of the Laplacian reconstruction loss
 * @param adv           lambda_adv, the local adversarial term
 * @param global        lambda_glob, the global cohesion term
 * @param samples       fresh latents per step for the global term
 * @param psi           their truncation
 * @param discriminator frozen or alternating
 * @param dLr           learning rate of the alternating discriminator
 * @param r1            its R1 weight
 * @param r1Interval    its lazy R1 interval
 * @param targetMse     stop once the reconstruction MSE is at most this (0 = run the budget)
 * @param pyramidLevels Laplacian pyramid levels (none: down to 8 px)
 * @param pyramidNorm   l1 or l2 (none: l1)
 * @param seed          seed of the sampled latents
 */
public record NearPerfectOptions(Path encoder, int iterations, Path init, int initSteps, int reportSamples,
                                 double lr, double recon, double adv, double global, int samples, double psi,
                                 DiscriminatorMode discriminator, double dLr, double r1, int r1Interval, double targetMse,
                                 Integer pyramidLevels, LaplacianPyramidConfig.Norm pyramidNorm, long seed) {

    public NearPerfectOptions {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        if (initSteps < 1) throw new IllegalArgumentException("init-steps must be >= 1, got " + initSteps);
        if (reportSamples != 0 && reportSamples < 2) throw new IllegalArgumentException("report-samples must be 0 or >= 2, got " + reportSamples);
        if (discriminator == null) discriminator = DiscriminatorMode.ALTERNATING;
    }

    /** The defaults: {@link NearPerfectConfig#defaults()}, ReStyle 5 iterations, 200 W+ steps, a 64-latent report. */
    public static NearPerfectOptions defaults() {
        NearPerfectConfig d = NearPerfectConfig.defaults();
        return new NearPerfectOptions(null, 5, null, 200, TuningReport.DEFAULT_SAMPLES, d.learningRate(), d.reconWeight(), d.advWeight(),
                d.globalWeight(), d.globalSamples(), d.truncationPsi(), d.discriminator(), d.dLearningRate(), d.r1Gamma(), d.r1Interval(),
                d.targetMse(), null, null, d.seed());
    }

    /** The tuning settings for a generator of {@code resolution} px with a budget of {@code maxSteps}. */
    public NearPerfectConfig config(int resolution, int maxSteps) {
        NearPerfectConfig d = NearPerfectConfig.defaults();
        LaplacianPyramidConfig pyramid = null;
        if (pyramidLevels != null || pyramidNorm != null) {
            LaplacianPyramidConfig p = LaplacianPyramidConfig.defaultsFor(resolution);
            pyramid = LaplacianPyramidConfig.of(pyramidLevels != null ? pyramidLevels : p.levels(), pyramidNorm != null ? pyramidNorm : p.norm());
        }
        return new NearPerfectConfig(maxSteps, lr, d.beta1(), d.beta2(), pyramid, recon, adv, global, samples, psi, discriminator, dLr, r1, r1Interval,
                targetMse, d.noiseMode(), seed);
    }
}
