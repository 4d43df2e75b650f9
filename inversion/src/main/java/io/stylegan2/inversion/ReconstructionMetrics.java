package io.stylegan2.inversion;

import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.metrics.ImageMetrics;
import io.stylegan2.metrics.Mse;
import io.stylegan2.metrics.PixelRange;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Final reconstruction quality of one inversion (METHODS 7.7: the convention is recorded with it).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. {@link #compute} and
 * {@link #clamp} are stateless; a perceptual distance shared between threads must itself be safe to
 * call concurrently ({@code Lpips} serialises its array calls).
 *
 * @param mse            mean squared error in {@code [0, 255]} (byte convention, as papers report)
 * @param psnr           dB, in {@code [0, 255]}; +Infinity for identical images
 * @param ssim           SSIM (11x11 Gaussian, sigma 1.5), mean over channels, in {@code [0, 255]}
 * @param mseSigned      mean squared error of the {@code [-1, 1]} images (the PadInv convention)
 * @param perceptualName e.g. {@code lpips-vgg}; {@code null} when no perceptual distance was available
 * @param perceptual     the perceptual distance on the {@code [-1, 1]} images at native size, or {@code null}
 */
public record ReconstructionMetrics(double mse, double psnr, double ssim, double mseSigned,
                                    String perceptualName, Double perceptual) {

    /** Convention of {@link #mse}, {@link #psnr} and {@link #ssim}. */
    public static final String CONVENTION = "byte [0,255]";

    /**
     * Metrics of a reconstruction against its target, both {@code [1, C, R, R]} in {@code [-1, 1]}
     * (the reconstruction is clamped to {@code [-1, 1]} first, as a PNG would be).
     */
    public static ReconstructionMetrics compute(INDArray target, INDArray reconstruction, PerceptualLoss perceptual) {
        return metrics(target, reconstruction, java.util.Objects.requireNonNull(perceptual, "perceptual (use compute(target, reconstruction) without one)"));
    }

    /** {@link #compute(INDArray, INDArray, PerceptualLoss)} without a perceptual distance ({@link #perceptual()} is then null). */
    public static ReconstructionMetrics compute(INDArray target, INDArray reconstruction) {
        return metrics(target, reconstruction, null);
    }

    private static ReconstructionMetrics metrics(INDArray target, INDArray reconstruction, PerceptualLoss perceptual) {
        INDArray r = clamp(reconstruction);
        boolean rgb = target.size(1) == 3;
        ImageMetrics m = ImageMetrics.compute(target, r, List.of("image"), PixelRange.BYTE, rgb ? perceptual : null).get(0);
        double signed = Mse.image(target, r);
        return new ReconstructionMetrics(m.mse(), m.psnr(), m.ssim(), signed,
                m.perceptual().isPresent() ? m.perceptualName() : null,
                m.perceptual().isPresent() ? m.perceptual().getAsDouble() : null);
    }

    /** {@code x} clamped to {@code [-1, 1]} (a copy). */
    public static INDArray clamp(INDArray x) {
        return org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(x, -1.0, true), 1.0, false);
    }
}
