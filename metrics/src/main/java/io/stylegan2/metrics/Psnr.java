package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Peak signal-to-noise ratio in dB: {@code 10 log10(MAX^2 / MSE)} with {@code MAX} the data range
 * of the convention: 2 for [-1, 1] ({@link PixelRange#SIGNED_UNIT}), 255 for [0, 255]
 * ({@link PixelRange#BYTE}). The value does not depend on the convention as long as the inputs are
 * in the one named. Identical images (MSE 0) give {@link Double#POSITIVE_INFINITY}, as
 * skimage's {@code peak_signal_noise_ratio}; a batch mean containing one is infinite too.
 * Matches skimage {@code peak_signal_noise_ratio(a, b, data_range=MAX)} (float64).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. {@link Result}
 * is shallowly immutable (its array is not copied).
 */
public final class Psnr {
    private Psnr() {}

    /** Per-image PSNR (dB) and the mean of the per-image values (not the PSNR of the mean MSE). */
    public record Result(PixelRange range, double[] perImage, double mean) {}

    /** {@code 10 log10(dataRange^2 / mse)}; +Infinity for {@code mse == 0}. */
    public static double fromMse(double mse, double dataRange) {
        if (mse < 0 || Double.isNaN(mse)) throw new IllegalArgumentException("mse must be >= 0: " + mse);
        if (mse == 0) return Double.POSITIVE_INFINITY;
        return 10.0 * Math.log10(dataRange * dataRange / mse);
    }

    /** PSNR of one image {@code [C,H,W]} in the convention {@code range}. */
    public static double image(INDArray a, INDArray b, PixelRange range) {
        return fromMse(Mse.image(a, b), range.dataRange());
    }

    /** Per-image PSNR of {@code [N,C,H,W]} batches in the convention {@code range}. */
    public static double[] perImage(INDArray a, INDArray b, PixelRange range) {
        double[] m = Mse.perImage(a, b);
        for (int i = 0; i < m.length; i++) m[i] = fromMse(m[i], range.dataRange());
        return m;
    }

    public static Result batch(INDArray a, INDArray b, PixelRange range) {
        double[] v = perImage(a, b, range);
        return new Result(range, v, Mse.mean(v));
    }
}
