package io.stylegan2.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Shape checks and float64 copies of image batches (package-private helpers). */
final class Pixels {
    private Pixels() {}

    /** {@code [C,H,W]} or {@code [N,C,H,W]} -> {@code [N,C,H,W]} (a view for 3-d input). */
    static INDArray asBatch(INDArray x) {
        if (x.rank() == 4) return x;
        if (x.rank() == 3) return x.reshape(1, x.size(0), x.size(1), x.size(2));
        if (x.rank() == 2) return x.reshape(1, 1, x.size(0), x.size(1));
        throw new IllegalArgumentException("expected an image [C,H,W] or a batch [N,C,H,W], got shape " + Arrays.toString(x.shape()));
    }

    static void requireSameShape(INDArray a, INDArray b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("image shapes differ: " + Arrays.toString(a.shape()) + " vs " + Arrays.toString(b.shape()));
    }

    /** Row-major float64 copy of all elements. */
    static double[] doubles(INDArray x) {
        return x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** {@code f} applied to each pair of images of two {@code [N,C,H,W]} (or {@code [C,H,W]}) batches. */
    static double[] perImage(INDArray a, INDArray b, java.util.function.ToDoubleBiFunction<INDArray, INDArray> f) {
        requireSameShape(a, b);
        INDArray x = asBatch(a), y = asBatch(b);
        double[] out = new double[(int) x.size(0)];
        for (int n = 0; n < out.length; n++) out[n] = f.applyAsDouble(x.slice(n), y.slice(n));
        return out;
    }
}
