package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Equalised-learning-rate layers as pure functions (NVlabs {@code FullyConnectedLayer},
 * {@code Conv2dLayer}): the raw parameters are scaled by constant gains at run time.
 *
 * <p><b>Thread safety:</b> Stateless (the engine settings are read per thread from
 * {@code Engine.current()}); a SameDiff instance itself is not thread-safe, so build one graph from
 * one thread.
 */
public final class Layers {
    private Layers() {}

    /** NVlabs FullyConnectedLayer weight gain: {@code lrMultiplier / sqrt(inFeatures)}. */
    public static double fcWeightGain(long inFeatures, double lrMultiplier) {
        return lrMultiplier / Math.sqrt(inFeatures);
    }

    /** NVlabs Conv2dLayer weight gain: {@code 1 / sqrt(inC * k * k)}. */
    public static double convWeightGain(long inChannels, long kernelSize) {
        return 1.0 / Math.sqrt((double) inChannels * kernelSize * kernelSize);
    }

    /**
     * Fully connected layer: {@code biasAct(x mmul (w * weightGain)^T, b * biasGain, act)} with the
     * activation's default alpha and gain.
     *
     * @param x          {@code [N, in]}
     * @param w          {@code [out, in]} (PyTorch layout, as stored in NVlabs checkpoints)
     * @param b          {@code [out]} or null
     * @param weightGain usually {@link #fcWeightGain}{@code (in, lrMultiplier)}
     * @param biasGain   usually {@code lrMultiplier}
     * @return {@code [N, out]}
     */
    public static SDVariable linear(SDVariable x, SDVariable w, SDVariable b, double weightGain, double biasGain, Activation act) {
        return linear(x, w, b, weightGain, biasGain, act, act.defaultAlpha(), act.defaultGain(), null);
    }

    /** As above with explicit activation alpha, gain and clamp (null = none). */
    public static SDVariable linear(SDVariable x, SDVariable w, SDVariable b, double weightGain, double biasGain,
                                    Activation act, double alpha, double gain, Double clamp) {
        long[] ws = Shapes.staticShapeOrNull(w);
        long[] xs = Shapes.staticShapeOrNull(x);
        if (ws != null && ws.length != 2) throw new IllegalArgumentException("linear: w must be [out, in], got " + Arrays.toString(ws));
        if (ws != null && xs != null && (xs.length != 2 || (xs[1] >= 0 && xs[1] != ws[1])))
            throw new IllegalArgumentException("linear: x " + Arrays.toString(xs) + " does not match w [out, in] " + Arrays.toString(ws));
        SameDiff sd = x.getSameDiff();
        SDVariable wt = Fold.ifConstant(w, v -> v.getSameDiff().permute(weightGain == 1.0 ? v : v.mul(weightGain), 1, 0)); // [in, out]
        SDVariable y = sd.mmul(x, wt);
        SDVariable bb = b == null ? null : (biasGain == 1.0 ? b : Fold.ifConstant(b, v -> v.mul(biasGain)));
        return BiasAct.biasAct(y, bb, 2, act, alpha, gain, clamp);
    }

    /**
     * NVlabs Conv2dLayer.forward(x, gain=1): {@code conv2dResample(x, w * convWeightGain(inC, k), f,
     * up, down, padding k/2, flipWeight = (up == 1))}, then {@code biasAct(act, default gain,
     * clamp = convClamp)}.
     *
     * @param x         {@code [N, inC, H, W]}
     * @param w         {@code [k, k, inC, outC]}, a variable/constant (static shape)
     * @param b         {@code [outC]} or null
     * @param f         resampling filter (needed for up/down > 1)
     * @param convClamp null = no clamping
     */
    public static SDVariable conv(SDVariable x, SDVariable w, SDVariable b, INDArray f, int up, int down, Activation act, Double convClamp) {
        long[] ws = Shapes.shape(w, 4, "conv", "w [k, k, inC, outC]");
        Shapes.requireStatic("conv", "w", ws, 0, 1, 2, 3);
        return conv(x, w, ws, b, convWeightGain(ws[2], ws[0]), f, up, down, act, act.defaultGain(), convClamp);
    }

    /**
     * The general form: {@code biasAct(conv2dResample(x, w * weightGain, f, up, down, k/2,
     * up == 1), b, act, actGain, clamp)}. For NVlabs' {@code forward(x, gain)} pass
     * {@code actGain = act.defaultGain() * gain} and {@code clamp = convClamp * gain}.
     *
     * @param wShape {@code [k, k, inC, outC]}, the static shape of {@code w}
     */
    public static SDVariable conv(SDVariable x, SDVariable w, long[] wShape, SDVariable b, double weightGain, INDArray f, int up, int down,
                                  Activation act, double actGain, Double clamp) {
        if (wShape == null || wShape.length != 4 || wShape[0] != wShape[1])
            throw new IllegalArgumentException("conv: weight shape must be square [k, k, inC, outC], got " + Arrays.toString(wShape));
        int p = (int) (wShape[0] / 2);
        SDVariable wg = weightGain == 1.0 ? w : w.mul(weightGain);
        SDVariable y = Conv2dResample.conv2dResample(x, wg, wShape, f, up, down, new int[] {p, p, p, p}, up == 1);
        return BiasAct.biasAct(y, b, 4, act, act.defaultAlpha(), actGain, clamp);
    }
}
