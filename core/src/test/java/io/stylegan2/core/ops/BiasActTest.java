package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BiasActTest {
    /** Naive bias_act on a c-order DOUBLE copy: channel = dim 1. */
    static INDArray naive(INDArray x, INDArray b, double alpha, double gain, Double clamp, boolean lrelu) {
        INDArray y = x.castTo(DataType.DOUBLE).dup('c');
        long c = x.size(1);
        long inner = y.length() / (x.size(0) * c);
        double[] d = y.data().asDouble();
        for (int i = 0; i < d.length; i++) {
            double v = d[i] + (b == null ? 0 : b.getDouble((i / inner) % c));
            if (lrelu && v < 0) v *= alpha;
            v *= gain;
            if (clamp != null) v = Math.max(-clamp, Math.min(clamp, v));
            d[i] = v;
        }
        return Nd4j.create(d, y.shape(), DataType.DOUBLE);
    }

    @Test
    void values4dAnd2d() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 4, 4);
        INDArray b = Nd4j.createFromArray(0.3, -0.2, 0.1);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x), bv = sd.var("b", b);
        assertAllClose("lrelu default", BiasAct.biasAct(xv, bv, Activation.LRELU).eval(), naive(x, b, 0.2, Math.sqrt(2), null, true), 1e-10, 1e-12);
        assertAllClose("lrelu clamp", BiasAct.biasAct(xv, bv, Activation.LRELU, 0.1, 2.0, 0.5).eval(), naive(x, b, 0.1, 2.0, 0.5, true), 1e-10, 1e-12);
        assertAllClose("linear nobias", BiasAct.biasAct(xv, null, Activation.LINEAR).eval(), x, 1e-10, 1e-12);
        INDArray x2 = rand(DataType.FLOAT, 4, 3);
        SDVariable x2v = sd.var("x2", x2);
        SDVariable b2 = sd.var("b2", b.castTo(DataType.FLOAT));
        assertAllClose("2d float", BiasAct.biasAct(x2v, b2, Activation.LINEAR, 3.0, null).eval(), naive(x2, b, 0, 3.0, null, false), 1e-5, 1e-6);
    }

    @Test
    void gradients() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 3, 3, 3));
        SDVariable b = sd.var("b", Nd4j.createFromArray(0.31, -0.17, 0.07));
        GradCheck.check(sd, BiasAct.biasAct(x.add(0.0), b.mul(1.0), Activation.LRELU, 0.2, 1.4, 0.6), 60, "x", "b");
        SameDiff sd2 = SameDiff.create();
        SDVariable x2 = sd2.var("x", rand(DataType.DOUBLE, 4, 3));
        SDVariable b2 = sd2.var("b", Nd4j.createFromArray(0.31, -0.17, 0.07));
        GradCheck.check(sd2, BiasAct.biasAct(x2.add(0.0), b2, 2, Activation.LRELU, 0.2, Math.sqrt(2), null), 60, "x", "b");
    }

    @Test
    void rejectsMismatchedBias() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 3, 3, 3));
        SDVariable b = sd.var("b", Nd4j.createFromArray(1.0, 2.0));
        assertThatThrownBy(() -> BiasAct.biasAct(x, b, Activation.LINEAR)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("biasAct");
    }
}
