package io.stylegan2.stylegan.layers;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.core.ops.Fold;
import io.stylegan2.core.ops.Upfirdn2d;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Pieces of the layers' backward-data passes, as ordinary differentiable SameDiff ops (so that a
 * loss of the resulting gradient, such as R1 of the discriminator's input gradient or the path length
 * of the synthesis network's W+ gradient, can be differentiated with respect to the parameters by
 * first-order autodiff).
 */
final class Adjoints {
    private Adjoints() {}

    /** The recorded activation {@code id}; a clear error if the forward did not record it. */
    static SDVariable recorded(Map<String, SDVariable> activations, String id) {
        SDVariable a = activations.get(id);
        if (a == null) throw new IllegalStateException("no activation recorded for " + id);
        return a;
    }

    /**
     * The backward of {@code a = clamp(act(z + b) * actGain)} from {@code ga = dL/da} to
     * {@code dL/dz = ga * actGain * m * c}: {@code m = (a > 0 ? 1 : alpha)} for the leaky ReLU (the
     * sign of {@code a} is the sign of {@code z + b} because actGain &gt; 0; {@code alpha} the slope
     * of {@link BiasAct#lreluBackwardSlope}, so that the result equals SameDiff's own gradient of
     * bias_act to float64 rounding, whichever formulation the graph has; read at build time),
     * {@code m = 1} for linear layers, and {@code c = (|a| < clamp ? 1 : 0)} when clamped (else 1).
     * The masks are piecewise constant in the parameters: they are data (built from a comparison, so
     * no gradient flows through them), the exact derivative almost everywhere. The bias does not
     * appear. Returns {@code ga} itself for the identity (linear, gain 1, no clamp).
     */
    static SDVariable throughActivation(SDVariable ga, SDVariable a, Activation act, double actGain, Double clamp) {
        if (act == Activation.LINEAR && clamp == null && actGain == 1.0) return ga;
        SameDiff sd = a.getSameDiff();
        DataType dt = a.dataType();
        SDVariable m = null;
        if (act == Activation.LRELU) {
            double alpha = BiasAct.lreluBackwardSlope(act.defaultAlpha());
            m = sd.gt(a, 0.0).castTo(dt).mul(1.0 - alpha).add(alpha).mul(actGain);
        }
        if (clamp != null) {
            SDVariable c = sd.lt(sd.math().abs(a), clamp).castTo(dt);
            m = m == null ? c.mul(actGain) : m.mul(c);
        }
        return ga.mul(m == null ? sd.constant(Nd4j.scalar(dt, actGain)) : m);
    }

    /**
     * torch {@code conv_transpose2d(x, w, stride, padding)}, the adjoint of
     * {@code conv2d(., w, stride, padding)}: ND4J {@code deconv2d}, whose {@code [kH, kW, outC, inC]}
     * weight layout is exactly the forward weight {@code [kH, kW, inC, outC]}.
     */
    static SDVariable deconv(SDVariable x, SDVariable w, int k, int stride, int pad) {
        DeConv2DConfig c = DeConv2DConfig.builder()
                .kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad).dH(1).dW(1)
                .isSameMode(false).dataFormat("NCHW").build();
        return x.getSameDiff().cnn().deconv2d(x, w, c);
    }

    /**
     * The adjoint of {@code conv2dResample(x, w, f, up, down = 1, padding k/2, convolution)} (the up-sampling
     * {@code k x k} conv of a synthesis layer, {@code up > 1}) applied to {@code g}, for a square
     * {@code inRes x inRes} input. The forward is NVlabs' (and {@code Conv2dResample}'s) transposed convolution with
     * stride {@code up} of the unflipped weight, {@code deconv(x, w^T, up, pad t)} with {@code w^T [k, k, out, in]},
     * then {@code upfirdn2d(., f, pad [p0 + t, p1 + t, ...], convolution, gain up^2)} where
     * {@code p0 = k/2 + (fw+up-1)/2 - (k-1)}, {@code p1 = k/2 + (fw-up)/2 - (k-up)} and
     * {@code t = max(min(-p0, -p1), 0)}; the adjoint is the FIR's adjoint, then {@code conv(., w^T, stride up, pad t)}.
     *
     * @param w        the forward weight {@code [k, k, in, out]}
     * @param channels the channel count of {@code g} ({@code out})
     */
    static SDVariable convUpAdjoint(SDVariable g, SDVariable w, int k, int up, INDArray f, long inRes, long channels) {
        int[] fs = Upfirdn2d.filterSize(f);
        int fw = fs[0], fh = fs[1];
        int pad = k / 2;
        int px0 = pad + (fw + up - 1) / 2 - (k - 1), px1 = pad + (fw - up) / 2 - (k - up);
        int py0 = pad + (fh + up - 1) / 2 - (k - 1), py1 = pad + (fh - up) / 2 - (k - up);
        int pxt = Math.max(Math.min(-px0, -px1), 0), pyt = Math.max(Math.min(-py0, -py1), 0);
        if (pxt != pyt) throw new IllegalArgumentException("up-sampling conv adjoint: non-square filter " + fw + "x" + fh);
        long deconvRes = (inRes - 1) * up + k - 2L * pxt;
        SDVariable gd = upfirdn2dAdjoint(g, f, 1, 1, new int[] {px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt}, (double) up * up, deconvRes, channels);
        SDVariable wt = Fold.ifConstant(w, v -> v.getSameDiff().permute(v, 0, 1, 3, 2));
        return Conv2dResample.conv(gd, wt, k, k, up, pyt, pxt);
    }

    /**
     * Adjoint of {@code upfirdn2d(x, f, up, down, pads [x0, x1, y0, y1], convolution, gain)} for a square
     * {@code inRes x inRes} input, with {@code up == 1} or {@code down == 1}. Per axis the forward is zero insertion by
     * {@code u} ({@code u H} samples), a zero pad by {@code p0, p1}, a valid true convolution with {@code f} (length K;
     * {@code L = u H + p0 + p1 - K + 1} samples) and keeping every d-th sample from 0 ({@code H' = ceil(L/d)}). Its
     * adjoint runs the steps backwards: zero insertion by d ({@code d H'} samples, {@code e = d H' - L} of them past the
     * end), a full correlation with {@code f}, the crop of the padding and keeping every u-th sample:
     * {@code upfirdn2d(g, f, up = d, down = u, pad [K-1-p0, K-1-p1-e], correlation, gain)}, separately in x and y.
     *
     * @param channels the channel count of {@code g} (the op's fast paths), or -1
     */
    static SDVariable upfirdn2dAdjoint(SDVariable g, INDArray f, int up, int down, int[] pads, double gain, long inRes, long channels) {
        if (up != 1 && down != 1) throw new IllegalArgumentException("upfirdn2d adjoint: up or down must be 1, got up=" + up + " down=" + down);
        int[] fs = Upfirdn2d.filterSize(f);
        int fw = fs[0], fh = fs[1];
        long lx = inRes * up + pads[0] + pads[1] - fw + 1, ly = inRes * up + pads[2] + pads[3] - fh + 1;
        long ex = ((lx - 1) / down + 1) * down - lx, ey = ((ly - 1) / down + 1) * down - ly;
        int[] q = {fw - 1 - pads[0], (int) (fw - 1 - pads[1] - ex), fh - 1 - pads[2], (int) (fh - 1 - pads[3] - ey)};
        return Upfirdn2d.upfirdn2d(g, f, down, up, q, true, gain, channels);
    }
}
