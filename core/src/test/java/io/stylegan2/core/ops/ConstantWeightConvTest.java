package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.ConvBackward;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The input-only backward of {@link ConstantWeightConv} equals the stock backward (float64), is the
 * one SameDiff runs for constant weights (no {@code *_bp} op in the gradient function), and is not
 * used where the weight is trainable.
 */
class ConstantWeightConvTest {
    private record Case(boolean transposed, int k, int stride, int pad, long inC, long outC, long size) {}

    private static final Case[] CASES = {
            new Case(false, 3, 1, 1, 3, 4, 7), new Case(false, 1, 1, 0, 5, 2, 6), new Case(false, 3, 1, 0, 2, 3, 8),
            new Case(false, 4, 1, 2, 2, 2, 5),
            new Case(true, 3, 2, 0, 3, 4, 5), new Case(true, 4, 2, 1, 2, 3, 6), new Case(true, 3, 1, 1, 4, 2, 5),
            new Case(true, 1, 1, 0, 3, 3, 4)};

    private static SDVariable build(SameDiff sd, Case c, SDVariable x, SDVariable w, boolean ours) {
        if (c.transposed) {
            DeConv2DConfig cfg = DeConv2DConfig.builder().kH(c.k).kW(c.k).sH(c.stride).sW(c.stride).pH(c.pad).pW(c.pad).dH(1).dW(1)
                    .isSameMode(false).dataFormat("NCHW").build();
            return ours ? ConstantWeightConv.deconv2d(x, w, cfg) : sd.cnn().deconv2d(x, w, cfg);
        }
        Conv2DConfig cfg = Conv2DConfig.builder().kH(c.k).kW(c.k).sH(c.stride).sW(c.stride).pH(c.pad).pW(c.pad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        return ours ? ConstantWeightConv.conv2d(x, w, cfg) : sd.cnn().conv2d(x, w, cfg);
    }

    /** Gradient w.r.t. x (and w when trainable) of sum(conv(x, w) * r), and the op names of the gradient function. */
    private static Object[] grads(Case c, boolean ours, boolean trainableWeight) {
        Engine.get();
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, c.inC, c.size, c.size));
        Nd4j.getRandom().setSeed(5);
        long[] wShape = c.transposed ? new long[] {c.k, c.k, c.outC, c.inC} : new long[] {c.k, c.k, c.inC, c.outC};
        INDArray wArr = Nd4j.rand(DataType.DOUBLE, wShape).subi(0.5);
        SDVariable w = trainableWeight ? sd.var("w", wArr) : sd.constant("w", wArr);
        SDVariable y = build(sd, c, x.mul(1.0), w, ours);
        INDArray r = rand(DataType.DOUBLE, y.eval().shape());
        sd.setLossVariables(sd.sum(y.mul(sd.constant(r))));
        Map<String, INDArray> g = trainableWeight ? sd.calculateGradients(Map.of(), "x", "w") : sd.calculateGradients(Map.of(), "x");
        Set<String> ops = Arrays.stream(sd.getFunction("grad").ops()).map(DifferentialFunction::opName).collect(Collectors.toSet());
        return new Object[] {g, ops};
    }

    @Test
    @SuppressWarnings("unchecked")
    void constantWeightsGetTheInputOnlyBackwardEqualToStock() {
        for (Case c : CASES) {
            Object[] ours = grads(c, true, false), stock = grads(c, false, false);
            assertAllClose(c + " dx", ((Map<String, INDArray>) ours[0]).get("x"), ((Map<String, INDArray>) stock[0]).get("x"), 1e-12, 1e-12);
            Set<String> ops = (Set<String>) ours[1];
            String bp = c.transposed ? "deconv2d_bp" : "conv2d_bp";
            assertThat(ops).as(c + " gradient ops").doesNotContain(bp);
            assertThat((Set<String>) stock[1]).as(c + " stock gradient ops").contains(bp);
        }
    }

    /** A stride-2 correlation keeps the stock backward (the transposed conv could be a pixel short). */
    @Test
    @SuppressWarnings("unchecked")
    void strideTwoCorrelationKeepsTheStockBackward() {
        Case c = new Case(false, 3, 2, 1, 3, 2, 7);
        Object[] ours = grads(c, true, false), stock = grads(c, false, false);
        assertAllClose("dx", ((Map<String, INDArray>) ours[0]).get("x"), ((Map<String, INDArray>) stock[0]).get("x"), 1e-12, 1e-12);
        assertThat((Set<String>) ours[1]).contains("conv2d_bp");
    }

    @Test
    @SuppressWarnings("unchecked")
    void trainableWeightsKeepTheStockBackward() {
        for (Case c : new Case[] {CASES[0], CASES[4]}) {
            Map<String, INDArray> ours = (Map<String, INDArray>) grads(c, true, true)[0], stock = (Map<String, INDArray>) grads(c, false, true)[0];
            assertAllClose(c + " dx", ours.get("x"), stock.get("x"), 1e-12, 1e-12);
            assertAllClose(c + " dw", ours.get("w"), stock.get("w"), 1e-12, 1e-12);
        }
    }

    /** The engine setting {@code convBackward=stock} builds the stock ops (and their backward). */
    @Test
    @SuppressWarnings("unchecked")
    void stockSwitchKeepsTheStockBackward() {
        Engine.with(o -> o.withConvBackward(ConvBackward.STOCK), () -> {
            assertThat((Set<String>) grads(CASES[0], true, false)[1]).contains("conv2d_bp");
            assertThat((Set<String>) grads(CASES[4], true, false)[1]).contains("deconv2d_bp");
        });
    }

    /** Central differences, independent of the stock op. */
    @Test
    void gradientCheck() {
        for (Case c : new Case[] {CASES[0], CASES[5]}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, c.inC, c.size, c.size));
            long[] wShape = c.transposed ? new long[] {c.k, c.k, c.outC, c.inC} : new long[] {c.k, c.k, c.inC, c.outC};
            SDVariable w = sd.constant("w", Nd4j.rand(DataType.DOUBLE, wShape).subi(0.5));
            GradCheck.check(sd, build(sd, c, x.mul(1.0), w, true), 40, "x");
        }
    }
}
