package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static io.stylegan2.core.testing.AllClose.assertAllClose;

class LayersTest {
    static final INDArray F = Upfirdn2d.setupFilter(1, 3, 3, 1);

    @Test
    void linearMatchesFullyConnectedLayer() {
        INDArray x = rand(DataType.DOUBLE, 3, 4);
        INDArray w = rand(DataType.DOUBLE, 5, 4); // [out, in]
        INDArray b = rand(DataType.DOUBLE, 5);
        double lr = 0.01;
        double wg = Layers.fcWeightGain(4, lr);
        INDArray pre = x.mmul(w.mul(wg).transpose()).addRowVector(b.mul(lr));
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x), wv = sd.var("w", w), bv = sd.var("b", b);
        assertAllClose("linear", Layers.linear(xv, wv, bv, wg, lr, Activation.LINEAR).eval(), pre, 1e-10, 1e-12);
        INDArray lrelu = BiasActTest.naive(x.mmul(w.mul(wg).transpose()), b.mul(lr), 0.2, Math.sqrt(2), null, true);
        assertAllClose("linear lrelu", Layers.linear(xv.add(0.0), wv, bv, wg, lr, Activation.LRELU).eval(), lrelu, 1e-10, 1e-12);
        GradCheck.check(sd, Layers.linear(xv.add(0.0), wv, bv.mul(1.0), wg, lr, Activation.LRELU), 40, "x", "w", "b");
    }

    @Test
    void convMatchesConv2dLayer() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 6, 6);
        INDArray w = rand(DataType.DOUBLE, 4, 3, 3, 3); // OIHW
        INDArray b = rand(DataType.DOUBLE, 4);
        double wg = 1 / Math.sqrt(3 * 9);
        for (int[] ud : new int[][] {{1, 1}, {1, 2}, {2, 1}}) {
            INDArray conv = NaiveOps.conv2dResample(x, w.mul(wg), F, ud[0], ud[1], new int[] {1, 1, 1, 1}, ud[0] == 1);
            INDArray expected = BiasActTest.naive(conv, b, 0.2, Math.sqrt(2), 0.7, true);
            SameDiff sd = SameDiff.create();
            SDVariable xv = sd.var("x", x).add(0.0), wv = sd.var("w", Conv2dResample.oihwToYxio(w)), bv = sd.var("b", b);
            assertAllClose("conv up=" + ud[0] + " down=" + ud[1], Layers.conv(xv, wv, bv, F, ud[0], ud[1], Activation.LRELU, 0.7).eval(), expected, 1e-10, 1e-12);
        }
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", rand(DataType.DOUBLE, 2, 2, 4, 4)), wv = sd.var("w", rand(DataType.DOUBLE, 3, 3, 2, 3)), bv = sd.var("b", Nd4j.createFromArray(0.1, -0.2, 0.3));
        GradCheck.check(sd, Layers.conv(xv.add(0.0), wv, bv, F, 1, 2, Activation.LRELU, null), 30, "x", "w", "b");
        // 1x1 skip conv, down 2, no bias, linear
        SameDiff sd2 = SameDiff.create();
        INDArray w1 = rand(DataType.DOUBLE, 4, 3, 1, 1);
        INDArray expected = NaiveOps.conv2dResample(x, w1.mul(1 / Math.sqrt(3)), F, 1, 2, new int[] {0, 0, 0, 0}, true);
        assertAllClose("skip", Layers.conv(sd2.var("x", x), sd2.var("w", Conv2dResample.oihwToYxio(w1)), null, F, 1, 2, Activation.LINEAR, null).eval(), expected, 1e-10, 1e-12);
    }
}
