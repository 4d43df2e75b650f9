package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.BiasActPath;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
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

    /** The fused Java kernel is what the CPU build uses (else every test above checks only the reference path). */
    @Test
    void fusedKernelIsActiveOnCpu() {
        assertThat(Engine.get().patches().javaKernels()).isTrue();
        assertThat(Engine.get().patches().fusedBiasAct()).isTrue();
        SameDiff sd = SameDiff.create();
        SDVariable y = BiasAct.biasAct(sd.var("x", rand(DataType.FLOAT, 1, 2, 2, 2)), sd.var("b", Nd4j.createFromArray(1f, 2f)), Activation.LRELU);
        assertThat(sd.getVariableOutputOp(y.name())).isInstanceOf(FusedBiasAct.class);
    }

    /**
     * Fused and reference formulations agree in float32 on arrays large enough for the parallel
     * path, for every option, with a non-dense input (a permuted view), values and gradients of
     * {@code x} and {@code b} (loss {@code sum(y * r)}).
     */
    @Test
    void fusedEqualsReferenceInFloat32() {
        compare("lrelu 4d", new long[] {2, 64, 32, 32}, false, (x, b) -> BiasAct.biasAct(x, b, Activation.LRELU));
        compare("lrelu clamp", new long[] {2, 64, 32, 32}, false, (x, b) -> BiasAct.biasAct(x, b, 4, Activation.LRELU, 0.2, Math.sqrt(2), 0.4));
        compare("linear gain", new long[] {3, 5, 7, 9}, false, (x, b) -> BiasAct.biasAct(x, b, Activation.LINEAR, 0.5, null));
        compare("2d mapping", new long[] {4, 512}, false, (x, b) -> BiasAct.biasAct(x, b, 2, Activation.LRELU, 0.2, Math.sqrt(2), null));
        compare("permuted view", new long[] {2, 16, 24, 20}, true, (x, b) -> BiasAct.biasAct(x, b, Activation.LRELU));
    }

    private static void compare(String what, long[] shape, boolean permuted, BiFunction<SDVariable, SDVariable, SDVariable> op) {
        Map<String, INDArray> fused = run(shape, permuted, op, BiasActPath.AUTO), ref = run(shape, permuted, op, BiasActPath.REFERENCE);
        // db sums up to 2048 float32 terms of size ~1: the reference's float sum carries ~1e-5 absolute error (ours sums in double)
        for (String k : fused.keySet()) assertAllClose(what + " " + k, fused.get(k), ref.get(k), k.equals("b") ? 1e-5 : 1e-6, k.equals("b") ? 1e-4 : 1e-6);
    }

    private static Map<String, INDArray> run(long[] shape, boolean permuted, BiFunction<SDVariable, SDVariable, SDVariable> op, BiasActPath path) {
        return Engine.with(o -> o.withBiasAct(path), () -> {
            SameDiff sd = SameDiff.create();
            long[] s = shape.clone();
            if (permuted) { long t = s[2]; s[2] = s[3]; s[3] = t; }
            SDVariable x = sd.var("x", rand(DataType.FLOAT, s));
            SDVariable xin = permuted ? sd.permute(x, 0, 1, 3, 2) : x.add(0.0);
            Nd4j.getRandom().setSeed(3);
            SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, shape[1]).subi(0.5f));
            SDVariable y = op.apply(xin, b);
            INDArray r = rand(DataType.FLOAT, shape).muli(1.7);
            sd.setLossVariables(sd.sum(y.mul(sd.constant(r))));
            Map<String, INDArray> out = new HashMap<>(sd.calculateGradients(Map.of(), "x", "b"));
            out.put("y", y.eval());
            return out;
        });
    }

    /**
     * The backward op's own gradient (used if anything differentiates a gradient through it): a
     * float64 central-difference check with respect to the incoming gradient, clamp included.
     */
    @Test
    void backwardOfTheBackward() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 3, 3, 3));
        SDVariable b = sd.var("b", Nd4j.createFromArray(0.31, -0.17, 0.07));
        SDVariable dy = sd.var("dy", rand(DataType.DOUBLE, 2, 3, 3, 3).muli(0.9));
        SDVariable y = FusedBiasAct.of(x.add(0.0), b, 0.2, 1.4, 0.6);
        var outs = new FusedBiasAct.Grad(sd, y, b, dy.mul(1.0), new double[] {0.2, 1.4, 0.6}).outputs();
        SDVariable both = sd.concat(0, sd.reshape(outs.get(0), -1), sd.reshape(outs.get(1), -1));
        GradCheck.check(sd, both, 60, "dy");
    }

    /** {@link BiasAct#lreluBackwardSlope} is the slope SameDiff's gradient applies, for both formulations (float64). */
    @Test
    void lreluBackwardSlopeIsTheGradientsSlope() {
        for (BiasActPath path : BiasActPath.values()) {
            Engine.with(o -> o.withBiasAct(path), () -> {
                SameDiff sd = SameDiff.create();
                SDVariable x = sd.var("x", Nd4j.ones(DataType.DOUBLE, 1, 2, 2, 2).negi());
                SDVariable b = sd.var("b", Nd4j.zeros(DataType.DOUBLE, 2));
                sd.setLossVariables(sd.sum(BiasAct.biasAct(x.add(0.0), b, Activation.LRELU, 0.2, 1.0, null)));
                INDArray g = sd.calculateGradients(Map.of(), "x").get("x");
                double slope = BiasAct.lreluBackwardSlope(0.2);
                assertThat(slope).as(path.name()).isEqualTo(path == BiasActPath.AUTO ? 0.2 : (double) 0.2f);
                assertThat(g.minNumber().doubleValue()).as(path.name()).isEqualTo(slope);
                assertThat(g.maxNumber().doubleValue()).as(path.name()).isEqualTo(slope);
            });
        }
    }
}
