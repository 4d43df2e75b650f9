package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * StyleGAN2 modulated convolution (NVlabs {@code modulated_conv2d}, non-fused path: SameDiff has
 * no grouped convolution):
 * <pre>
 *   y = conv2dResample(x * styles[N, inC, 1, 1], weight) * dcoefs[N, outC, 1, 1] + noise
 *   dcoefs[n, o] = rsqrt( sum_{i, kh, kw} (weight[kh, kw, i, o] * styles[n, i])^2 + 1e-8 )
 * </pre>
 * where the sum is computed as {@code styles^2 [N, inC] mmul sum_{kh,kw} weight^2 [inC, outC]}.
 * Without demodulation the {@code dcoefs} factor is omitted.
 *
 * <p>Weight layout {@code [kH, kW, inC, outC]} (ND4J); the raw weight is used as is (NVlabs puts
 * the weight gain into the styles). Convolution orientation follows NVlabs' SynthesisLayer by
 * default: correlation for {@code up == 1}, true convolution (flipped kernel) for {@code up == 2}.
 * Gradients flow to x, weight, styles, noise and whatever the padder uses.
 */
public final class ModulatedConv2d {
    private static final String OP = "modulatedConv2d";

    private ModulatedConv2d() {}

    /**
     * NVlabs SynthesisLayer / ToRGBLayer call with {@code flipWeight = (up == 1)}.
     *
     * @param x              {@code [N, inC, H, W]}
     * @param weight         {@code [kH, kW, inC, outC]}; must be a variable/constant (static shape)
     * @param styles         {@code [N, inC]}
     * @param noise          null, or anything broadcastable to the output {@code [N, outC, H', W']}
     *                       (e.g. {@code [1, 1, H', W']} or {@code [N, 1, H', W']}), added last
     * @param up             1 or 2
     * @param padding        symmetric padding (NVlabs: {@code kH / 2}; 0 for ToRGB's 1x1)
     * @param resampleFilter FIR filter for {@code up == 2} ({@link Upfirdn2d#setupFilter}); may be
     *                       null for {@code up == 1}
     * @param demodulate     apply weight demodulation
     * @param padder         null = zero padding by {@code padding}. Otherwise (only for
     *                       {@code up == 1}, with {@code padding == kH / 2 == kW / 2}) it receives the
     *                       MODULATED input {@code [N, inC, H, W]} and must return it padded by
     *                       {@code padding} on every side ({@code [N, inC, H + 2p, W + 2p]}); the
     *                       conv then runs unpadded. This is the hook for learned borders.
     * @return {@code [N, outC, H * up, W * up]} (for NVlabs padding)
     * @throws IllegalArgumentException for a padder with {@code up != 1}, or mismatched shapes
     */
    public static SDVariable modulatedConv2d(SDVariable x, SDVariable weight, SDVariable styles, SDVariable noise, int up, int padding,
                                             INDArray resampleFilter, boolean demodulate, UnaryOperator<SDVariable> padder) {
        return modulatedConv2d(x, weight, styles, noise, up, padding, resampleFilter, demodulate, up == 1, padder);
    }

    /** As above with an explicit {@code flipWeight} (true = correlation, false = convolution). */
    public static SDVariable modulatedConv2d(SDVariable x, SDVariable weight, SDVariable styles, SDVariable noise, int up, int padding,
                                             INDArray resampleFilter, boolean demodulate, boolean flipWeight, UnaryOperator<SDVariable> padder) {
        long[] ws = Shapes.shape(weight, 4, OP, "weight [kH, kW, inC, outC]");
        Shapes.requireStatic(OP, "weight", ws, 0, 1, 2, 3);
        return modulatedConv2d(x, weight, ws, styles, noise, up, padding, resampleFilter, demodulate, flipWeight, padder);
    }

    /**
     * As above with the weight shape {@code [kH, kW, inC, outC]} given explicitly, for a weight that
     * is an op output (SameDiff does not know op-output shapes at build time).
     */
    public static SDVariable modulatedConv2d(SDVariable x, SDVariable weight, long[] wShape, SDVariable styles, SDVariable noise, int up, int padding,
                                             INDArray resampleFilter, boolean demodulate, boolean flipWeight, UnaryOperator<SDVariable> padder) {
        if (up != 1 && up != 2) throw new IllegalArgumentException(OP + ": up must be 1 or 2, got " + up);
        if (wShape == null || wShape.length != 4) throw new IllegalArgumentException(OP + ": weight shape must be [kH, kW, inC, outC], got " + Arrays.toString(wShape));
        if (padder != null && up != 1) throw new IllegalArgumentException(OP + ": a padder is only supported for up == 1 convolutions, got up=" + up);
        if (up > 1 && resampleFilter == null) throw new IllegalArgumentException(OP + ": up=" + up + " needs a resample filter");
        long kh = wShape[0], kw = wShape[1], inC = wShape[2], outC = wShape[3];
        if (padder != null && (padding != kh / 2 || padding != kw / 2))
            throw new IllegalArgumentException(OP + ": with a padder, padding must be kernel/2 = " + (kh / 2) + ", got " + padding + " for weight " + Arrays.toString(wShape));
        long[] xs = Shapes.staticShapeOrNull(x);
        if (xs != null && (xs.length != 4 || (xs[1] >= 0 && xs[1] != inC)))
            throw new IllegalArgumentException(OP + ": x " + Arrays.toString(xs) + " does not match weight [kH, kW, inC, outC] " + Arrays.toString(wShape));
        long[] ss = Shapes.staticShapeOrNull(styles);
        if (ss != null && (ss.length != 2 || (ss[1] >= 0 && ss[1] != inC)))
            throw new IllegalArgumentException(OP + ": styles " + Arrays.toString(ss) + " must be [N, " + inC + "] for weight " + Arrays.toString(wShape));

        SameDiff sd = x.getSameDiff();
        SDVariable xm = x.mul(sd.reshape(styles, -1, inC, 1, 1));
        SDVariable y;
        if (padder != null) {
            SDVariable padded = padder.apply(xm);
            if (padded == null) throw new IllegalArgumentException(OP + ": padder returned null");
            y = Conv2dResample.conv2dResample(padded, weight, wShape, resampleFilter, 1, 1, new int[] {0, 0, 0, 0}, flipWeight);
        } else {
            y = Conv2dResample.conv2dResample(xm, weight, wShape, resampleFilter, up, 1, new int[] {padding, padding, padding, padding}, flipWeight);
        }
        if (demodulate) {
            SDVariable w2 = sd.sum(sd.math().square(weight), 0, 1);                  // [inC, outC]
            SDVariable ss2 = sd.math().square(styles);                              // [N, inC]
            SDVariable d = sd.math().rsqrt(sd.mmul(ss2, w2).add(1e-8));             // [N, outC]
            y = y.mul(sd.reshape(d, -1, outC, 1, 1));
        }
        if (noise != null) y = y.add(noise);
        return y;
    }
}
