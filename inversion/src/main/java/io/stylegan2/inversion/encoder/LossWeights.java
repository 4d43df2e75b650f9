package io.stylegan2.inversion.encoder;

/**
 * Weights of the encoder's training loss: pixel MSE, LPIPS (used only when an LPIPS network is
 * given), mean squared error to the true W+ (generated images only), and the W-norm regulariser
 * ({@link io.stylegan2.losses.Regularisers#wNorm}): {@code mean ||w - w_avg||^2} over rows by
 * default, or PadInv's {@code mean ||W+ - w_avg||_F} with {@code Reduction.FROBENIUS}; and the
 * adversarial term {@code mean softplus(-D(G(E(x))))} with a StyleGAN2 discriminator trained
 * alongside (logistic loss, R1; {@link EncoderTrainer}), 0 = off.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public record LossWeights(double l2, double lpips, double latent, double wNorm, io.stylegan2.losses.Regularisers.Reduction wNormReduction,
                          double adversarial) {
    public LossWeights {
        for (double d : new double[]{l2, lpips, latent, wNorm, adversarial})
            if (!Double.isFinite(d) || d < 0) throw new IllegalArgumentException("loss weights must be finite and >= 0");
        if (wNormReduction == null) wNormReduction = io.stylegan2.losses.Regularisers.Reduction.MEAN;
    }

    /** With the default W-norm (mean over rows of the squared norm), no adversarial term. */
    public LossWeights(double l2, double lpips, double latent, double wNorm) {
        this(l2, lpips, latent, wNorm, io.stylegan2.losses.Regularisers.Reduction.MEAN, 0);
    }

    /** No adversarial term. */
    public LossWeights(double l2, double lpips, double latent, double wNorm, io.stylegan2.losses.Regularisers.Reduction wNormReduction) {
        this(l2, lpips, latent, wNorm, wNormReduction, 0);
    }

    /** With the adversarial term at weight {@code w} (PadInv's scripts: 0.03 for churches, 0.05 for bedrooms). */
    public LossWeights withAdversarial(double w) {
        return new LossWeights(l2, lpips, latent, wNorm, wNormReduction, w);
    }

    /** PadInv's released weights: MSE 1, LPIPS 0.8, no latent loss, W-norm 0.003 on the Frobenius norm. */
    public static LossWeights padInv() {
        return new LossWeights(1.0, 0.8, 0.0, 0.003, io.stylegan2.losses.Regularisers.Reduction.FROBENIUS);
    }

    /** L2 1, LPIPS 0.8 (pSp), latent 1, W-norm 1e-4. */
    public static LossWeights defaults() {
        return new LossWeights(1.0, 0.8, 1.0, 1e-4);
    }
}
