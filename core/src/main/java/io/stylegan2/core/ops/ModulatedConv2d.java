package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions;
import io.stylegan2.core.engine.EngineOptions.ConvBackward;
import org.nd4j.autodiff.samediff.SDIndex;
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
 *
 * <p>{@link #modulatedConv2dFused} is NVlabs' fused formulation for a batch size known at build
 * time: the style and demodulation scales are folded into one weight per sample
 * ({@code weight * styles[n, i] * dcoefs[n, o]}), and each sample runs its own conv (SameDiff has
 * no grouped conv), so no broadcast multiply touches the activations. Same values and gradients
 * as the reference path (tested in float64).
 *
 * <p><b>Thread safety:</b> Stateless (the engine settings are read per thread from
 * {@code Engine.current()}); a SameDiff instance itself is not thread-safe, so build one graph from
 * one thread.
 */
public final class ModulatedConv2d {
    private static final String OP = "modulatedConv2d";

    private ModulatedConv2d() {}

    /**
     * Whether a network layer built now (on this thread) should use {@link #modulatedConv2dFused}
     * under the engine setting {@code modconv} ({@link EngineOptions#modconv()}): never
     * without a static batch size ({@code batch < 1}); {@code FUSED}: always otherwise;
     * {@code AUTO}: for batch 1 when the per-sample weight is smaller than the activations the
     * reference path scales, {@code kH*kW*inC*outC < inC*inRes^2 + outC*(inRes*up)^2} (e.g. the
     * 64..256 px layers of config-f, not the 512-channel layers at 4..32 px). For batch &gt; 1 the
     * per-sample slicing and concatenation touch the activations as often as the reference path
     * does, so AUTO keeps the reference.
     *
     * @param batch static batch size, or -1 if unknown
     */
    public static boolean preferFused(long[] wShape, long batch, long inRes, int up) {
        return preferFused(wShape, batch, inRes, up, false);
    }

    /**
     * As {@link #preferFused(long[], long, long, int)}, where {@code frozenWeightInGradient} says
     * the weight is a graph constant on the path of a gradient (latent optimisation through a
     * frozen generator; see {@link Fold#dependsOnVariable}). Then AUTO keeps the reference path: its convolution has a
     * constant weight, whose backward computes only the input gradient ({@link ConstantWeightConv},
     * one convolution's worth of work), while the fused path's per-sample weight depends on the
     * styles, so its backward must also compute the weight gradient (a second one). With the
     * engine setting {@code convBackward=stock} (read from the same options) the size rule applies
     * as before.
     */
    public static boolean preferFused(long[] wShape, long batch, long inRes, int up, boolean frozenWeightInGradient) {
        if (batch < 1) return false;
        EngineOptions options = Engine.current();
        return switch (options.modconv()) {
            case REFERENCE -> false;
            case FUSED -> true;
            case AUTO -> {
                long outRes = inRes * up;
                long weight = wShape[0] * wShape[1] * wShape[2] * wShape[3];
                boolean cheapReferenceBackward = frozenWeightInGradient && options.convBackward() == ConvBackward.AUTO
                        && Engine.get().patches().constantWeightConv();
                yield !cheapReferenceBackward && batch == 1 && weight < wShape[2] * inRes * inRes + wShape[3] * outRes * outRes;
            }
        };
    }

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
        SDVariable xm = Broadcast.mul(x, sd.reshape(styles, -1, inC, 1, 1), -1, inC, 1, 1);
        SDVariable y;
        if (padder != null) {
            SDVariable padded = padder.apply(xm);
            if (padded == null) throw new IllegalArgumentException(OP + ": padder returned null");
            y = Conv2dResample.conv2dResample(padded, weight, wShape, resampleFilter, 1, 1, new int[] {0, 0, 0, 0}, flipWeight);
        } else {
            y = Conv2dResample.conv2dResample(xm, weight, wShape, resampleFilter, up, 1, new int[] {padding, padding, padding, padding}, flipWeight);
        }
        if (demodulate) {
            SDVariable w2 = Fold.ifConstant(weight, v -> v.getSameDiff().sum(v.getSameDiff().math().square(v), 0, 1)); // [inC, outC]
            SDVariable ss2 = sd.math().square(styles);                              // [N, inC]
            SDVariable d = sd.math().rsqrt(sd.mmul(ss2, w2).add(1e-8));             // [N, outC]
            y = Broadcast.mul(y, sd.reshape(d, -1, outC, 1, 1), -1, outC, 1, 1);
        }
        if (noise != null) y = y.add(noise);
        return y;
    }

    /**
     * The fused formulation (see the class comment) for a static batch size {@code batch}; no padder.
     * Cheaper than the reference path when the activations are larger than the weight
     * ({@code H*W > kH*kW*outC} roughly), e.g. at high resolutions with few channels.
     *
     * @param x      {@code [batch, inC, H, W]}
     * @param wShape {@code [kH, kW, inC, outC]}, the static shape of {@code weight}
     * @param styles {@code [batch, inC]}
     * @param batch  the batch size (N of x and styles at run time)
     * @see #modulatedConv2d(SDVariable, SDVariable, long[], SDVariable, SDVariable, int, int, INDArray, boolean, boolean, UnaryOperator)
     */
    public static SDVariable modulatedConv2dFused(SDVariable x, SDVariable weight, long[] wShape, SDVariable styles, long batch, SDVariable noise,
                                                  int up, int padding, INDArray resampleFilter, boolean demodulate, boolean flipWeight) {
        if (up != 1 && up != 2) throw new IllegalArgumentException(OP + ": up must be 1 or 2, got " + up);
        if (wShape == null || wShape.length != 4) throw new IllegalArgumentException(OP + ": weight shape must be [kH, kW, inC, outC], got " + Arrays.toString(wShape));
        if (up > 1 && resampleFilter == null) throw new IllegalArgumentException(OP + ": up=" + up + " needs a resample filter");
        if (batch < 1) throw new IllegalArgumentException(OP + ": batch must be >= 1, got " + batch);
        long inC = wShape[2], outC = wShape[3];
        long[] ss = Shapes.staticShapeOrNull(styles);
        if (ss != null && (ss.length != 2 || (ss[1] >= 0 && ss[1] != inC) || (ss[0] >= 0 && ss[0] != batch)))
            throw new IllegalArgumentException(OP + ": styles " + Arrays.toString(ss) + " must be [" + batch + ", " + inC + "] for weight " + Arrays.toString(wShape));

        SameDiff sd = x.getSameDiff();
        SDVariable d = demodulate
                ? sd.math().rsqrt(sd.mmul(sd.math().square(styles), Fold.ifConstant(weight, v -> v.getSameDiff().sum(v.getSameDiff().math().square(v), 0, 1))).add(1e-8)) // [N, outC]
                : null;
        int[] pad = {padding, padding, padding, padding};
        SDVariable[] ys = new SDVariable[(int) batch];
        for (int n = 0; n < batch; n++) {
            SDVariable sn = batch == 1 ? styles : styles.get(SDIndex.interval(n, n + 1), SDIndex.all());   // [1, inC]
            SDVariable scale = sd.reshape(sn, inC, 1);                                                   // [inC, 1]
            if (d != null) {
                SDVariable dn = batch == 1 ? d : d.get(SDIndex.interval(n, n + 1), SDIndex.all());       // [1, outC]
                scale = sd.mmul(scale, dn);                                                            // [inC, outC], outer product
            }
            SDVariable wn = Broadcast.mul(weight, sd.reshape(scale, 1, 1, inC, d != null ? outC : 1), 1, 1, inC, d != null ? outC : 1);
            SDVariable xn = batch == 1 ? x : x.get(SDIndex.interval(n, n + 1), SDIndex.all(), SDIndex.all(), SDIndex.all());
            ys[n] = Conv2dResample.conv2dResample(xn, wn, wShape, resampleFilter, up, 1, pad, flipWeight);
        }
        SDVariable y = batch == 1 ? ys[0] : sd.concat(0, ys);
        return noise == null ? y : y.add(noise);
    }
}
