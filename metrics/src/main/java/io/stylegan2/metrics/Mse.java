package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mean squared error, accumulated in float64, over all elements (channels and pixels) of an
 * image. The value is in the units of the input convention: an MSE of images in [-1, 1]
 * ({@link PixelRange#SIGNED_UNIT}) is {@code 127.5^2} times smaller than the same images in
 * [0, 255] ({@link PixelRange#BYTE}); {@link PixelRange#convertMse} converts.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. {@link Result}
 * is shallowly immutable (its array is not copied).
 */
public final class Mse {
    private Mse() {}

    /** Per-image MSE of a batch, in the convention {@code range} of the inputs. */
    public record Result(PixelRange range, double[] perImage, double mean) {}

    /** MSE of one image {@code [C,H,W]} (or any two equally shaped arrays), in the inputs' units. */
    public static double image(INDArray a, INDArray b) {
        Pixels.requireSameShape(a, b);
        double[] x = Pixels.doubles(a), y = Pixels.doubles(b);
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - y[i];
            s += d * d;
        }
        return s / x.length;
    }

    /** Per-image MSE of {@code [N,C,H,W]} batches (a 3-d image is a batch of one). */
    public static double[] perImage(INDArray a, INDArray b) {
        Pixels.requireSameShape(a, b);
        INDArray x = Pixels.asBatch(a), y = Pixels.asBatch(b);
        double[] out = new double[(int) x.size(0)];
        for (int n = 0; n < out.length; n++) out[n] = image(x.slice(n), y.slice(n));
        return out;
    }

    /** Per-image MSE and the mean over the batch; inputs must be in {@code range}. */
    public static Result batch(INDArray a, INDArray b, PixelRange range) {
        double[] v = perImage(a, b);
        return new Result(range, v, mean(v));
    }

    static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }
}
