package io.stylegan2.stylegan;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Latent interpolation for videos and morphs: spherical in Z ({@link #slerp}, which keeps an
 * interpolated Gaussian z at the norm the mapping network was trained on), linear in W and W+
 * ({@link #lerp}, the space where StyleGAN's perceptual path length is measured).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the arrays
 * passed in are only read).
 */
public final class Interpolation {
    private Interpolation() {}

    /** The two latent spaces an interpolation can run in. */
    public enum Space {
        /** The input latents z, spherically ({@link #slerp}); then mapped with the truncation. */
        Z,
        /** The mapped w / W+ codes, linearly ({@link #lerp}). */
        W
    }

    /**
     * {@code (1 - t) a + t b}, element-wise, for any two arrays of one shape (w {@code [w_dim]}, W+
     * {@code [num_ws, w_dim]}, batches of them). {@code t} outside {@code [0, 1]} extrapolates.
     */
    public static INDArray lerp(INDArray a, INDArray b, double t) {
        requireSameShape(a, b);
        return a.mul(1 - t).addi(b.mul(t));
    }

    /**
     * Spherical interpolation of two vectors {@code [d]} or {@code [1, d]} along the great circle
     * between their directions, with the norm interpolated linearly: at {@code t = 0} it is {@code a},
     * at {@code t = 1} {@code b}. Nearly parallel vectors (angle below 1e-6 rad) fall back to
     * {@link #lerp}; exactly opposite directions have no unique great circle and are refused.
     * Computed in double precision, returned in {@code a}'s type.
     */
    public static INDArray slerp(INDArray a, INDArray b, double t) {
        requireSameShape(a, b);
        if (a.length() != Math.max(a.size(0), a.size(a.rank() - 1)))
            throw new IllegalArgumentException("slerp needs two vectors, got shape " + java.util.Arrays.toString(a.shape()));
        INDArray ad = a.castTo(DataType.DOUBLE), bd = b.castTo(DataType.DOUBLE);
        double na = ad.norm2Number().doubleValue(), nb = bd.norm2Number().doubleValue();
        if (na == 0 || nb == 0) return lerp(a, b, t);
        double cos = Math.max(-1, Math.min(1, ad.mul(bd).sumNumber().doubleValue() / (na * nb)));
        double omega = Math.acos(cos);
        if (omega < 1e-6) return lerp(a, b, t);
        if (Math.PI - omega < 1e-6) throw new IllegalArgumentException("slerp: the two vectors point in opposite directions (no unique path)");
        double s = Math.sin(omega);
        INDArray dir = ad.div(na).muli(Math.sin((1 - t) * omega) / s).addi(bd.div(nb).muli(Math.sin(t * omega) / s));
        return dir.muli((1 - t) * na + t * nb).castTo(a.dataType());
    }

    /**
     * {@code frames} evenly spaced points from {@code a} to {@code b} (both included when
     * {@code frames >= 2}), stacked on a new first axis.
     */
    public static INDArray path(INDArray a, INDArray b, int frames, Space space) {
        if (frames < 1) throw new IllegalArgumentException("frames must be >= 1, got " + frames);
        INDArray[] out = new INDArray[frames];
        for (int i = 0; i < frames; i++) {
            double t = frames == 1 ? 0 : i / (double) (frames - 1);
            out[i] = space == Space.Z ? slerp(a, b, t) : lerp(a, b, t);
        }
        return Nd4j.stack(0, out);
    }

    private static void requireSameShape(INDArray a, INDArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("interpolation needs two latents of one shape, got " + java.util.Arrays.toString(a.shape())
                    + " and " + java.util.Arrays.toString(b.shape()));
    }
}
