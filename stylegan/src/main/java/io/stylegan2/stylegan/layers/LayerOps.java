package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.core.ops.Fold;
import io.stylegan2.core.ops.ModulatedConv2d;
import io.stylegan2.core.ops.Upfirdn2d;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The layers' adapter to the core ops: caches FIR filters per tap list and picks the modulated-conv
 * path. Weight shapes come from the layers (weights behind an override are op outputs whose shape
 * SameDiff does not know at build time).
 */
final class LayerOps {
    private static final Map<List<Double>, INDArray> FILTERS = new ConcurrentHashMap<>();

    private LayerOps() {}

    /**
     * Checks the static shape of a layer input, where SameDiff knows it (variables, constants,
     * placeholders), against {@code [N, channels, res, res]} ({@code res <= 0}: any size); the message
     * names the layer and both shapes.
     */
    static void checkInput(String layer, SDVariable x, long channels, long res) {
        long[] s;
        try {
            s = x.getShape();
        } catch (RuntimeException e) {
            return; // an op output: its shape is known at run time only
        }
        if (s == null) return;
        boolean ok = s.length == 4 && (s[1] < 0 || s[1] == channels)
                && (res <= 0 || (s[2] < 0 || s[2] == res) && (s[3] < 0 || s[3] == res));
        if (!ok) throw new IllegalArgumentException(layer + ": input shape " + Arrays.toString(s) + ", expected [N, " + channels + ", "
                + (res > 0 ? res + ", " + res : "H, W") + "]");
    }

    static INDArray filter(List<Double> taps) {
        return FILTERS.computeIfAbsent(taps, t -> Upfirdn2d.setupFilter(t.stream().mapToDouble(Double::doubleValue).toArray()));
    }

    /**
     * Modulated conv of a synthesis layer: the fused path where {@link ModulatedConv2d#preferFused}
     * says so (static batch, no padder), else the reference path.
     *
     * <p>A constant weight on the path of a gradient (the layer's input or styles computed from a
     * trainable variable, e.g. the W+ codes being optimised) counts as "frozen in a gradient".
     *
     * @param wShape {@code [k, k, inC, outC]}
     * @param batch  static batch size, -1 if unknown
     * @param inRes  input resolution of the layer
     */
    static SDVariable modulatedConv(SDVariable x, SDVariable w, long[] wShape, SDVariable styles, int up, boolean demodulate,
                                    UnaryOperator<SDVariable> padder, List<Double> filter, long batch, int inRes) {
        int pad = (int) (wShape[0] / 2);
        boolean frozenInGradient = w.getVariableType() == VariableType.CONSTANT && (Fold.dependsOnVariable(styles) || Fold.dependsOnVariable(x));
        if (padder == null && ModulatedConv2d.preferFused(wShape, batch, inRes, up, frozenInGradient))
            return ModulatedConv2d.modulatedConv2dFused(x, w, wShape, styles, batch, null, up, pad, filter(filter), demodulate, up == 1);
        return ModulatedConv2d.modulatedConv2d(x, w, wShape, styles, null, up, pad, filter(filter), demodulate, up == 1, padder);
    }

    /** Conv (no bias, no activation) with weight gain, padding k/2 and optional FIR downsampling. */
    static SDVariable conv(SDVariable x, SDVariable w, long[] wShape, double weightGain, int down, List<Double> filter) {
        int p = (int) (wShape[0] / 2);
        return Conv2dResample.conv2dResample(x, Fold.ifConstant(w, v -> v.mul(weightGain)), wShape, filter(filter), 1, down, new int[]{p, p, p, p}, true);
    }

    /** Bias + activation (its default alpha) + gain + clamp on {@code [N, C, H, W]}. */
    static SDVariable biasAct(SDVariable x, SDVariable b, Activation act, double gain, Double clamp) {
        return BiasAct.biasAct(x, b, 4, act, act.defaultAlpha(), gain, clamp);
    }
}
