package io.stylegan2.stylegan;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.core.ops.Fold;
import io.stylegan2.core.ops.Layers;
import io.stylegan2.core.ops.MinibatchStd;
import io.stylegan2.core.ops.ModulatedConv2d;
import io.stylegan2.core.ops.Upfirdn2d;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The networks' adapter to the core ops: caches FIR filters per tap list and passes weight shapes
 * from the parameter store (weights behind an override are op outputs whose shape SameDiff does
 * not know at build time).
 */
final class Ops {
    private static final Map<List<Double>, INDArray> FILTERS = new ConcurrentHashMap<>();

    private Ops() {}

    static INDArray filter(List<Double> taps) {
        return FILTERS.computeIfAbsent(taps, t -> Upfirdn2d.setupFilter(t.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    /** Equalised-lr fully connected layer; {@code w} is {@code [out, in]}. */
    static SDVariable fc(SDVariable x, SDVariable w, SDVariable b, double weightGain, double biasGain, boolean lrelu) {
        return Layers.linear(x, w, b, weightGain, biasGain, lrelu ? Activation.LRELU : Activation.LINEAR);
    }

    /**
     * Modulated conv of a network layer: the fused path where {@link ModulatedConv2d#preferFused}
     * says so (static batch, no padder), else the reference path.
     *
     * <p>A constant weight on the path of a gradient (the layer's input or styles computed from a
     * trainable variable, e.g. the W+ codes being optimised) counts as "frozen in a gradient".
     *
     * @param batch static batch size, -1 if unknown
     * @param inRes input resolution of the layer
     */
    static SDVariable modulatedConv(SDVariable x, SDVariable w, long[] wShape, SDVariable styles, int up, boolean demodulate,
                                    UnaryOperator<SDVariable> padder, List<Double> filter, long batch, int inRes) {
        int pad = (int) (wShape[0] / 2);
        boolean frozenInGradient = w.getVariableType() == VariableType.CONSTANT && (Fold.dependsOnVariable(styles) || Fold.dependsOnVariable(x));
        if (padder == null && ModulatedConv2d.preferFused(wShape, batch, inRes, up, frozenInGradient))
            return ModulatedConv2d.modulatedConv2dFused(x, w, wShape, styles, batch, null, up, pad, filter(filter), demodulate, up == 1);
        return ModulatedConv2d.modulatedConv2d(x, w, wShape, styles, null, up, pad, filter(filter), demodulate, up == 1, padder);
    }

    static SDVariable biasAct(SDVariable x, SDVariable b, boolean lrelu, double gain, Double clamp) {
        Activation a = lrelu ? Activation.LRELU : Activation.LINEAR;
        return BiasAct.biasAct(x, b, 4, a, a.defaultAlpha(), gain, clamp);
    }

    static SDVariable upsample2d(SDVariable img, List<Double> filter, int channels) {
        return Upfirdn2d.upsample2d(img, filter(filter), 2, new int[]{0, 0, 0, 0}, channels);
    }

    /** Conv (no bias, no activation) with weight gain and optional FIR downsampling by 2. */
    static SDVariable conv(SDVariable x, SDVariable w, long[] wShape, double weightGain, int down, List<Double> filter) {
        int p = (int) (wShape[0] / 2);
        return Conv2dResample.conv2dResample(x, Fold.ifConstant(w, v -> v.mul(weightGain)), wShape, filter(filter), 1, down, new int[]{p, p, p, p}, true);
    }

    static SDVariable minibatchStd(SDVariable x, int group, int channels, long n) {
        return MinibatchStd.minibatchStd(x, group, channels, n);
    }

    /** Zero padding by one pixel on every side of {@code [N, C, H, W]}. */
    static SDVariable zeroPad1(SDVariable x) {
        return x.getSameDiff().nn().pad(x, x.getSameDiff().constant(org.nd4j.linalg.factory.Nd4j.createFromArray(new int[][]{{0, 0}, {0, 0}, {1, 1}, {1, 1}})), 0.0);
    }

    /** 1x1 convolution with weight {@code [1, 1, inC, outC]}. */
    static SDVariable conv1x1(SDVariable x, SDVariable w, long c) {
        return Conv2dResample.conv(x, w, 1, 1, 1, 0, 0);
    }

    static DataType dt(SDVariable v) {
        return v.dataType();
    }
}
