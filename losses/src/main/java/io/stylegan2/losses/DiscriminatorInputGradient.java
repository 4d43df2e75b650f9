package io.stylegan2.losses;

import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Upfirdn2d;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gradient of the discriminator's summed logits with respect to its input,
 * {@code g = d sum_n D(x)_n / dx}, built <em>explicitly</em> as a SameDiff graph: a hand-written
 * backward pass of the StyleGAN2 resnet discriminator ({@link Discriminator#build}) made of
 * ordinary differentiable ops. SameDiff 1.0.0-M2.1 has no second-order gradients; because
 * {@code g} is an ordinary graph of the parameters, SameDiff's first-order autodiff of any function
 * of {@code g} (such as the R1 penalty {@code sum g^2}) gives its gradient with respect to the
 * discriminator's parameters, i.e. the mixed second derivative.
 *
 * <p>The forward pass is {@link Discriminator#build(ParamBinding, SDVariable, Map)} itself (same
 * graph, same variables), whose intermediate activations feed the backward pass. Notation: a layer
 * computes {@code z = conv(x, w * wg)} (wg = 1/sqrt(inC k^2)), {@code a = act(z + b) * actGain},
 * optionally clamped to {@code [-clamp, clamp]}; {@code ga = dL/da} is the incoming gradient. The
 * backward of each piece:
 * <ul>
 *   <li><b>activation</b>: {@code gz = ga * actGain * m * c} with {@code m = (a > 0 ? 1 : alpha)} for
 *       leaky ReLU (the sign of {@code a} is the sign of {@code z + b} because actGain &gt; 0;
 *       {@code alpha} the slope of {@link #lreluSlope()}),
 *       {@code m = 1} for linear layers, and {@code c = (|a| < clamp ? 1 : 0)} when the config clamps
 *       (else 1). The masks are piecewise constant in the parameters: they are data (built from a
 *       comparison, so no gradient flows through them), which is the exact derivative almost
 *       everywhere. The bias does not appear in the backward-data pass;</li>
 *   <li><b>stride-1 k x k conv, padding k/2</b> (fromrgb, conv0, b4.conv): the adjoint
 *       {@code gx = conv_transpose2d(gz, w * wg, stride 1, padding k/2)} (ND4J {@code deconv2d},
 *       whose {@code [kH, kW, outC, inC]} weight layout is exactly the forward weight
 *       {@code [kH, kW, inC, outC]});</li>
 *   <li><b>conv1 (FIR then 3x3 stride-2 conv)</b>: forward {@code y = upfirdn2d(x, f, pad [p0, p1])}
 *       with {@code p0 = 1 + (fw-1)/2, p1 = 1 + (fw-2)/2} (NVlabs' arithmetic), then
 *       {@code z = conv(y, w * wg, stride 2, padding 0)}; backward {@code gy = conv_transpose2d(gz,
 *       w * wg, stride 2, padding 0)} (its size {@code (H'-1)*2 + 3} equals the size of {@code y},
 *       checked), then the FIR adjoint below;</li>
 *   <li><b>skip (FIR downsampling by 2, then 1x1 conv)</b>: {@code gy = conv_transpose2d(gz, w * wg)}
 *       (1x1), then the adjoint of {@code upfirdn2d(x, f, down = 2, pad [p0, p1])} with
 *       {@code p0 = (fw-1)/2, p1 = (fw-2)/2};</li>
 *   <li><b>FIR adjoint</b>: {@code upfirdn2d(x, f, up=1, down=d, pad [p0, p1])} is a zero pad, a
 *       valid true convolution with {@code f} (length K) and keeping every d-th sample from 0 (L
 *       samples before the decimation, {@code L = H + p0 + p1 - K + 1}, {@code H' = ceil(L/d)}). Its
 *       adjoint is zero insertion by d ({@code d H'} samples, {@code e = d H' - L} of them past the
 *       end), a full correlation with {@code f} and the crop of the padding:
 *       {@code gx = upfirdn2d(g, f, up = d, down = 1, pad [K-1-p0, K-1-p1-e], correlation)}, same gain
 *       (separately in x and y);</li>
 *   <li><b>residual</b> {@code x_out = skip(x) + conv1(conv0(x))}: the two branch gradients add;</li>
 *   <li><b>minibatch stddev</b> (G = min(group, N), n = N/G, F channels of c = C/F each; sample
 *       {@code i = gi * n + j} is member gi of group j): with {@code d = x - mean_G x} and
 *       {@code s = sqrt(mean_G d^2 + 1e-8)} per group/channel/pixel, the feature is
 *       {@code m[j, f] = mean_{c,h,w} s}, broadcast to the F extra maps of every member. With
 *       {@code go} the gradient of the {@code C+F}-channel output and
 *       {@code gm[j, f] = sum_{gi, h, w} go[gi*n + j, C + f, h, w]}:
 *       {@code gx = go[:, :C] + gm[j, f] / (c H W) * d / (G s)}. (The exact derivative also
 *       subtracts the group mean of the second term; that mean is {@code (..) * mean_G d = 0}, so it
 *       is dropped);</li>
 *   <li><b>fully connected</b> {@code z = h (W wg)^T + b} ({@code W [out, in]}):
 *       {@code gh = gz (W wg)}; the flatten {@code [N, C, 4, 4] -> [N, 16 C]} is undone by a
 *       reshape;</li>
 *   <li>the seed is {@code d sum(D)/d logits = 1} (or a given {@code [N, 1]} upstream gradient).</li>
 * </ul>
 * Tested against SameDiff's own first-order gradient of {@code sum(D(x))} (float64, batch 1, 2, 4,
 * i.e. minibatch groups 1, 2, 4).
 */
public final class DiscriminatorInputGradient {
    /**
     * The leaky-ReLU slope (0.2) as the backward of the discriminator's bias_act applies it
     * ({@link BiasAct#lreluBackwardSlope}: 0.2 for the fused kernel, {@code (float) 0.2}, 1.5e-8
     * above, for libnd4j's {@code lrelu_bp}), so that this gradient equals SameDiff's own to
     * float64 rounding whichever formulation the graph has; read at graph build time.
     */
    static double lreluSlope() {
        return BiasAct.lreluBackwardSlope(0.2);
    }

    private DiscriminatorInputGradient() {}

    /**
     * @param logits        {@code D(x)}, {@code [N, 1]} (the forward graph, reusable by a loss)
     * @param inputGradient {@code d sum(upstream * D(x)) / dx}, {@code [N, C, H, W]}
     * @param activations   the forward's intermediate activations (see
     *                      {@link Discriminator#build(ParamBinding, SDVariable, Map)})
     */
    public record Result(SDVariable logits, SDVariable inputGradient, Map<String, SDVariable> activations) {}

    /** Builds {@code D(img)} and {@code d sum(D(img)) / d img}; {@code img} needs a static shape. */
    public static Result build(Discriminator d, ParamBinding p, SDVariable img) {
        return build(d, p, img, null);
    }

    /**
     * As {@link #build(Discriminator, ParamBinding, SDVariable)} with an upstream gradient
     * {@code [N, 1]} for the logits (null = ones, i.e. the gradient of their sum).
     */
    public static Result build(Discriminator d, ParamBinding p, SDVariable img, SDVariable upstream) {
        DiscriminatorConfig cfg = d.config();
        long[] s = img.getShape();
        if (s == null || s.length != 4 || Arrays.stream(s).anyMatch(v -> v <= 0))
            throw new IllegalArgumentException("discriminator input gradient: the input needs a static shape [N, C, H, W], got " + Arrays.toString(s));
        if (s[1] != cfg.imgChannels() || s[2] != cfg.imgResolution() || s[3] != cfg.imgResolution())
            throw new IllegalArgumentException("discriminator input gradient: input " + Arrays.toString(s) + " does not match the config ["
                    + "N, " + cfg.imgChannels() + ", " + cfg.imgResolution() + ", " + cfg.imgResolution() + "]");
        Map<String, SDVariable> acts = new LinkedHashMap<>();
        SDVariable logits = d.build(p, img, acts);
        SDVariable g = backward(cfg, p, acts, s[0], upstream == null ? ones(img.getSameDiff(), img.dataType(), s[0], 1) : upstream);
        return new Result(logits, g, acts);
    }

    /** The backward pass from the activations of {@link Discriminator#build(ParamBinding, SDVariable, Map)}. */
    static SDVariable backward(DiscriminatorConfig cfg, ParamBinding p, Map<String, SDVariable> acts, long n, SDVariable gLogits) {
        SameDiff sd = p.sd();
        double sqrt2 = Math.sqrt(2), sqrtHalf = Math.sqrt(0.5);
        Double clamp = cfg.convClamp();
        INDArray f = Upfirdn2d.setupFilter(cfg.resampleFilter().stream().mapToDouble(Double::doubleValue).toArray());
        int c4 = cfg.channelsAt(4), nf = cfg.mbstdNumChannels();

        // epilogue: out (linear) <- fc (lrelu) <- flatten <- conv (lrelu) <- mbstd
        SDVariable g = gLogits;                                                             // gz of b4.out (linear, gain 1)
        g = sd.mmul(g, p.get("b4.out.weight").mul(1.0 / Math.sqrt(c4)));                  // [N, C4]
        g = g.mul(actMask(acts.get("b4.fc"), true, sqrt2, null));
        g = sd.mmul(g, p.get("b4.fc.weight").mul(1.0 / Math.sqrt(c4 * 16.0)));             // [N, 16 C4]
        g = sd.reshape(g, n, c4, 4, 4);
        g = convBack(p, "b4.conv", g, acts.get("b4.conv"), true, sqrt2, clamp, 1, f, 4);      // [N, C4 + F, 4, 4]
        g = minibatchStdBack(sd, acts.get("b8"), g, n, Math.min(cfg.mbstdGroupSize(), n), c4, nf);

        // blocks, lowest resolution first: x_out = skip(x) + conv1(conv0(x))
        for (int res = 8; res <= cfg.imgResolution(); res *= 2) {
            String b = "b" + res;
            SDVariable gSkip = convBack(p, b + ".skip", g, acts.get(b + ".skip"), false, sqrtHalf, clamp == null ? null : clamp * sqrtHalf, 2, f, res);
            SDVariable gMain = convBack(p, b + ".conv1", g, acts.get(b + ".conv1"), true, sqrt2 * sqrtHalf, clamp == null ? null : clamp * sqrtHalf, 2, f, res);
            gMain = convBack(p, b + ".conv0", gMain, acts.get(b + ".conv0"), true, sqrt2, clamp, 1, f, res);
            g = gSkip.add(gMain);
        }
        String top = "b" + cfg.imgResolution() + ".fromrgb";
        return convBack(p, top, g, acts.get(top), true, sqrt2, clamp, 1, f, cfg.imgResolution());
    }

    /**
     * Backward-data of one NVlabs Conv2dLayer ({@code Discriminator.conv}): activation mask, then the
     * adjoint of the (FIR +) convolution. {@code a} is the layer's output, {@code ga} its gradient,
     * {@code inRes} the (square) input resolution of the layer.
     */
    private static SDVariable convBack(ParamBinding p, String id, SDVariable ga, SDVariable a, boolean lrelu, double actGain,
                                       Double clamp, int down, INDArray f, long inRes) {
        if (a == null) throw new IllegalStateException("no activation recorded for " + id);
        long[] ws = p.store().get(id + ".weight").shape();                                 // [k, k, inC, outC]
        int k = (int) ws[0];
        SDVariable w = p.get(id + ".weight").mul(1.0 / Math.sqrt((double) ws[2] * k * k));
        SDVariable gz = ga.mul(actMask(a, lrelu, actGain, clamp));
        if (down == 1) return deconv(gz, w, k, 1, k / 2);
        int[] fs = Upfirdn2d.filterSize(f);
        int fw = fs[0], fh = fs[1];
        int pad = k / 2;
        int[] pads = {pad + (fw - down + 1) / 2, pad + (fw - down) / 2, pad + (fh - down + 1) / 2, pad + (fh - down) / 2};
        if (k == 1) // forward: upfirdn2d(x, f, down) then the 1x1 conv
            return firDownAdjoint(deconv(gz, w, 1, 1, 0), f, down, pads, inRes);
        // forward: upfirdn2d(x, f, pad) (no decimation), then the k x k conv with stride down, no padding
        long hy = inRes + pads[2] + pads[3] - fh + 1, wy = inRes + pads[0] + pads[1] - fw + 1;
        long ho = (hy - k) / down + 1, wo = (wy - k) / down + 1;
        if ((ho - 1) * down + k != hy || (wo - 1) * down + k != wy)
            throw new IllegalArgumentException(id + ": the strided conv leaves rows unused (" + hy + "x" + wy + " -> " + ho + "x" + wo + "); not supported");
        return firDownAdjoint(deconv(gz, w, k, down, 0), f, 1, pads, inRes);
    }

    /**
     * Adjoint of {@code upfirdn2d(x, f, up = 1, down, pads [x0, x1, y0, y1], convolution, gain 1)} for
     * a square {@code inRes x inRes} input: zero insertion by {@code down}, pad {@code K-1-p0} /
     * {@code K-1-p1-e} ({@code e} = inserted samples past the last forward sample), correlation.
     */
    static SDVariable firDownAdjoint(SDVariable g, INDArray f, int down, int[] pads, long inRes) {
        int[] fs = Upfirdn2d.filterSize(f);
        int fw = fs[0], fh = fs[1];
        long lx = inRes + pads[0] + pads[1] - fw + 1, ly = inRes + pads[2] + pads[3] - fh + 1;
        long ex = ((lx - 1) / down + 1) * down - lx, ey = ((ly - 1) / down + 1) * down - ly;
        int[] q = {fw - 1 - pads[0], (int) (fw - 1 - pads[1] - ex), fh - 1 - pads[2], (int) (fh - 1 - pads[3] - ey)};
        return Upfirdn2d.upfirdn2d(g, f, down, 1, q, true, 1.0);
    }

    private static SDVariable actMask(SDVariable a, boolean lrelu, double actGain, Double clamp) {
        SameDiff sd = a.getSameDiff();
        DataType dt = a.dataType();
        SDVariable m;
        if (lrelu) {
            double alpha = lreluSlope();
            m = sd.gt(a, 0.0).castTo(dt).mul(1.0 - alpha).add(alpha).mul(actGain);
        } else {
            m = null;
        }
        if (clamp != null) {
            SDVariable c = sd.lt(sd.math().abs(a), clamp).castTo(dt);
            m = m == null ? c.mul(actGain) : m.mul(c);
        }
        return m == null ? sd.constant(Nd4j.scalar(dt, actGain)) : m;
    }

    /**
     * Backward of {@code MinibatchStd.minibatchStd(x, G, F)} at 4x4: {@code gx = go[:, :C] +
     * gm[j, f] / (c H W) * d / (G s)} (see the class comment).
     *
     * @param x  the input of the layer, {@code [N, C, 4, 4]}
     * @param go the gradient of its output, {@code [N, C + F, 4, 4]}
     */
    private static SDVariable minibatchStdBack(SameDiff sd, SDVariable x, SDVariable go, long n, long g, int c, int nf) {
        if (x == null) throw new IllegalStateException("no activation recorded for the minibatch stddev input");
        long groups = n / g, cPer = c / nf, h = 4, w = 4;
        SDVariable y = sd.reshape(x, g, groups, nf, cPer, h, w);
        SDVariable dev = y.sub(sd.mean(y, true, 0));                                      // d = x - mean_G x
        SDVariable std = sd.math().sqrt(sd.mean(dev.mul(dev), true, 0).add(1e-8));        // s, [1, n, F, c, H, W]
        SDVariable goX = sd.stridedSlice(go, new long[] {0, 0, 0, 0}, new long[] {n, c, h, w}, new long[] {1, 1, 1, 1});
        SDVariable goM = sd.stridedSlice(go, new long[] {0, c, 0, 0}, new long[] {n, c + nf, h, w}, new long[] {1, 1, 1, 1});
        SDVariable gm = sd.sum(sd.reshape(goM, g, groups, nf, h, w), 0, 3, 4);            // [n, F]
        gm = sd.reshape(gm, 1, groups, nf, 1, 1, 1);
        SDVariable gy = dev.div(std).mul(gm).mul(1.0 / ((double) g * cPer * h * w));
        return goX.add(sd.reshape(gy, n, c, h, w));
    }

    /** torch {@code conv_transpose2d(x, w, stride, padding)}, the adjoint of {@code conv2d(., w, stride, padding)}; w {@code [k, k, inC, outC]} of the forward conv. */
    private static SDVariable deconv(SDVariable x, SDVariable w, int k, int stride, int pad) {
        DeConv2DConfig c = DeConv2DConfig.builder()
                .kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad).dH(1).dW(1)
                .isSameMode(false).dataFormat("NCHW").build();
        return x.getSameDiff().cnn().deconv2d(x, w, c);
    }

    private static SDVariable ones(SameDiff sd, DataType dt, long... shape) {
        return sd.constant(Nd4j.ones(dt, shape));
    }
}
