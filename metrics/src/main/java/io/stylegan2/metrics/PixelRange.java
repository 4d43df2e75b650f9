package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The value convention of the images handed to a metric. It fixes the data range used by PSNR,
 * SSIM and MS-SSIM and the units of MSE.
 *
 * <ul>
 *   <li>{@link #SIGNED_UNIT}: floats in [-1, 1] (the generator's and {@code Images.read}'s
 *   convention), data range 2;</li>
 *   <li>{@link #BYTE}: [0, 255] (8-bit pixel values, as floats), data range 255.</li>
 * </ul>
 * Values are not clamped or rounded by the metrics.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum PixelRange {
    /** [-1, 1], data range 2. */
    SIGNED_UNIT(-1.0, 1.0),
    /** [0, 255], data range 255. */
    BYTE(0.0, 255.0);

    private final double min;
    private final double max;

    PixelRange(double min, double max) {
        this.min = min;
        this.max = max;
    }

    public double min() { return min; }

    public double max() { return max; }

    /** {@code max - min}: 2 for {@link #SIGNED_UNIT}, 255 for {@link #BYTE}. */
    public double dataRange() { return max - min; }

    /** Affine map of {@code x} from this convention to {@code to} (a new array; no clamping, no rounding). */
    public INDArray convert(INDArray x, PixelRange to) {
        if (to == this) return x.dup();
        double s = to.dataRange() / dataRange();
        return x.sub(min).muli(s).addi(to.min);
    }

    /** An MSE measured in this convention, expressed in {@code to}'s units ({@code * (R_to / R_this)^2}). */
    public double convertMse(double mse, PixelRange to) {
        double s = to.dataRange() / dataRange();
        return mse * s * s;
    }
}
