package io.stylegan2.core.testing;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * numpy-style closeness assertions: {@code |a - e| <= atol + rtol * |e|} element-wise, with a
 * message that names the tensor, the worst element and the max abs / relative error.
 */
public final class AllClose {
    private AllClose() {}

    public static void assertAllClose(String what, INDArray actual, INDArray expected, double rtol, double atol) {
        if (!Arrays.equals(actual.shape(), expected.shape()))
            throw new AssertionError(what + ": shape " + Arrays.toString(actual.shape()) + " != expected " + Arrays.toString(expected.shape()));
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] e = expected.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double maxAbs = 0, maxRel = 0, maxE = 0;
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) || Double.isInfinite(a[i])) throw new AssertionError(what + ": non-finite value " + a[i] + " at flat index " + i);
            double d = Math.abs(a[i] - e[i]);
            maxAbs = Math.max(maxAbs, d);
            maxE = Math.max(maxE, Math.abs(e[i]));
            if (Math.abs(e[i]) > 0) maxRel = Math.max(maxRel, d / Math.abs(e[i]));
            double excess = d - (atol + rtol * Math.abs(e[i]));
            if (excess > worstExcess) { worstExcess = excess; worst = i; }
        }
        if (worst >= 0)
            throw new AssertionError(String.format("%s: not close (rtol %.1e, atol %.1e): flat index %d actual %.8g expected %.8g; max abs err %.3e, max rel err %.3e, max |expected| %.3e",
                    what, rtol, atol, worst, a[worst], e[worst], maxAbs, maxRel, maxE));
    }

    /** Max |a - e|. */
    public static double maxAbsDiff(INDArray actual, INDArray expected) {
        return actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /** Max |a - e| / max |e| (relative to the tensor's scale). */
    public static double relativeMaxError(INDArray actual, INDArray expected) {
        double scale = expected.castTo(DataType.DOUBLE).amaxNumber().doubleValue();
        return maxAbsDiff(actual, expected) / Math.max(scale, 1e-30);
    }
}
