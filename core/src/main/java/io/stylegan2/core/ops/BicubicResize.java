package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bicubic resizing with {@code align_corners=True}, as PyTorch's
 * {@code F.interpolate(x, size, mode='bicubic', align_corners=True)} (cubic convolution with
 * {@code A = -0.75}, source indices clamped at the borders), written as two matrix products
 * {@code A x A^T} with a fixed interpolation matrix: differentiable through SameDiff's matmul, which
 * ND4J M2.1's {@code image_resize} (bicubic, no gradient) is not. Hand-written because no
 * maintained JVM library provides a differentiable SameDiff resize; the matrix is checked against
 * values from PyTorch 1.13 in the tests.
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread.
 */
public final class BicubicResize {
    private static final double A = -0.75;

    private BicubicResize() {}

    /** The interpolation matrix {@code [out, in]}: row {@code i} holds the weights of output sample {@code i}. */
    public static INDArray matrix(int in, int out, DataType dt) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("bicubic resize: sizes must be >= 1, got " + in + " -> " + out);
        double[][] m = new double[out][in];
        double scale = out > 1 ? (in - 1) / (double) (out - 1) : 0;
        for (int i = 0; i < out; i++) {
            double real = scale * i;
            int idx = (int) Math.floor(real);
            double t = real - idx;
            double[] w = {cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)};
            for (int k = 0; k < 4; k++) m[i][Math.min(Math.max(idx - 1 + k, 0), in - 1)] += w[k];
        }
        return Nd4j.create(m).castTo(dt);
    }

    private static double cubic1(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double cubic2(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    /**
     * Resizes {@code x [N, channels, in, in]} to {@code [N, channels, out, out]}.
     *
     * @param channels the channel count (op outputs have no static shape in SameDiff M2.1)
     */
    public static SDVariable resize(SDVariable x, long channels, int in, int out) {
        SameDiff sd = x.getSameDiff();
        SDVariable at = sd.constant(matrix(in, out, x.dataType()).transpose().dup('c'));   // [in, out]
        SDVariable rows = x.reshape(-1, in).mmul(at).reshape(-1, channels, in, out);        // along W
        SDVariable cols = rows.permute(0, 1, 3, 2).reshape(-1, in).mmul(at).reshape(-1, channels, out, out);  // along H
        return cols.permute(0, 1, 3, 2);
    }
}
