package io.stylegan2.inversion.encoder;

/**
 * Weights of the encoder's training loss: pixel MSE, LPIPS (used only when an LPIPS network is
 * given), mean squared error to the true W+ (generated images only), and the W-norm regulariser
 * {@code mean ||w - w_avg||^2} over rows.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public record LossWeights(double l2, double lpips, double latent, double wNorm) {
    public LossWeights {
        for (double d : new double[]{l2, lpips, latent, wNorm})
            if (!Double.isFinite(d) || d < 0) throw new IllegalArgumentException("loss weights must be finite and >= 0");
    }

    /** L2 1, LPIPS 0.8 (pSp), latent 1, W-norm 1e-4. */
    public static LossWeights defaults() {
        return new LossWeights(1.0, 0.8, 1.0, 1e-4);
    }
}
