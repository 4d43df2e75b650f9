package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

import java.util.Arrays;

/**
 * 2-D convolution with optional FIR up/downsampling (NVlabs {@code conv2d_resample}, groups=1).
 *
 * <p>Weights use ND4J's default layout {@code [kH, kW, inC, outC]} (use {@link #oihwToYxio} for
 * PyTorch {@code [outC, inC, kH, kW]} weights). Data is {@code [N, C, H, W]}; C, H, W must be
 * static. Padding {@code [x0, x1, y0, y1]} is relative to the upsampled image, as in NVlabs; the
 * filter-size-dependent padding of the resampling is added internally with NVlabs' arithmetic:
 * <ul>
 *   <li>up &gt; 1: {@code x0 += (fw+up-1)/2, x1 += (fw-up)/2} (same for y); transposed
 *       convolution with stride up (ND4J deconv2d), then FIR with gain up^2 and NVlabs' padding
 *       arithmetic (1x1 kernels: the conv first, then upfirdn2d); then, if down &gt; 1, FIR + keep
 *       every down-th sample;</li>
 *   <li>down &gt; 1 (up == 1): {@code x0 += (fw-down+1)/2, x1 += (fw-down)/2}; FIR then conv with
 *       stride down (1x1 kernels: FIR with stride down, then the 1x1 conv);</li>
 *   <li>otherwise a plain conv with zero padding.</li>
 * </ul>
 * {@code flipWeight = true} is correlation (torch {@code conv2d}); false flips the kernel (true
 * convolution). NVlabs' layers use {@code flipWeight = (up == 1)}. Gradients flow to x and w.
 *
 * <p><b>Thread safety:</b> Stateless (the engine settings are read per thread from
 * {@code Engine.current()}); a SameDiff instance itself is not thread-safe, so build one graph from
 * one thread.
 */
public final class Conv2dResample {
    private static final String OP = "conv2dResample";

    private Conv2dResample() {}

    /**
     * @param x          {@code [N, inC, H, W]}
     * @param w          {@code [kH, kW, inC, outC]}
     * @param f          resampling filter ({@link Upfirdn2d#setupFilter}); null = identity
     * @param up         upsampling factor (>= 1)
     * @param down       downsampling factor (>= 1)
     * @param padding    {@code [x0, x1, y0, y1]} (or {@code [p]}, {@code [px, py]}); NVlabs layers pass k/2
     * @param flipWeight true = correlation, false = convolution
     * @return {@code [N, outC, H', W']}
     */
    public static SDVariable conv2dResample(SDVariable x, SDVariable w, INDArray f, int up, int down, int[] padding, boolean flipWeight) {
        long[] ws = Shapes.shape(w, 4, OP, "w [kH, kW, inC, outC]");
        Shapes.requireStatic(OP, "w", ws, 0, 1, 2, 3);
        return conv2dResample(x, w, ws, f, up, down, padding, flipWeight);
    }

    /**
     * As {@link #conv2dResample(SDVariable, SDVariable, INDArray, int, int, int[], boolean)} with
     * the weight shape {@code [kH, kW, inC, outC]} given explicitly, for weights that are op outputs
     * (e.g. {@code w.mul(gain)}), whose shape SameDiff does not know at build time.
     */
    public static SDVariable conv2dResample(SDVariable x, SDVariable w, long[] wShape, INDArray f, int up, int down, int[] padding, boolean flipWeight) {
        if (up < 1 || down < 1) throw new IllegalArgumentException(OP + ": up and down must be >= 1, got up=" + up + " down=" + down);
        if (wShape == null || wShape.length != 4) throw new IllegalArgumentException(OP + ": weight shape must be [kH, kW, inC, outC], got " + Arrays.toString(wShape));
        long[] ws = wShape;
        long[] xs = Shapes.staticShapeOrNull(x);
        if (xs != null && (xs.length != 4 || (xs[1] >= 0 && xs[1] != ws[2])))
            throw new IllegalArgumentException(OP + ": x " + Arrays.toString(xs) + " does not match w [kH, kW, inC, outC] " + Arrays.toString(ws) + " (expected [N, " + ws[2] + ", H, W])");
        int kh = (int) ws[0], kw = (int) ws[1];
        int[] p = Shapes.padding4(padding, OP);
        int[] fs = Upfirdn2d.filterSize(f);
        int fw = fs[0], fh = fs[1];
        int px0 = p[0], px1 = p[1], py0 = p[2], py1 = p[3];
        if (up > 1) {
            px0 += (fw + up - 1) / 2;
            px1 += (fw - up) / 2;
            py0 += (fh + up - 1) / 2;
            py1 += (fh - up) / 2;
        }
        if (down > 1) {
            px0 += (fw - down + 1) / 2;
            px1 += (fw - down) / 2;
            py0 += (fh - down + 1) / 2;
            py1 += (fh - down) / 2;
        }
        SameDiff sd = x.getSameDiff();
        SDVariable wc = flipWeight || up > 1 ? w : Fold.ifConstant(w, v -> v.getSameDiff().reverse(v, 0, 1)); // weights for a correlation (up > 1 uses w itself)

        if (up == 1 && down > 1) {
            if (kh == 1 && kw == 1) {
                SDVariable y = Upfirdn2d.upfirdn2d(x, f, 1, down, new int[] {px0, px1, py0, py1}, false, 1.0, ws[2]);
                return conv(y, wc, kh, kw, 1, 0, 0);
            }
            SDVariable y = Upfirdn2d.upfirdn2d(x, f, 1, 1, new int[] {px0, px1, py0, py1}, false, 1.0, ws[2]);
            return conv(y, wc, kh, kw, down, 0, 0);
        }
        if (up > 1) {
            SDVariable y;
            if (kh == 1 && kw == 1 && down == 1) {
                // 1x1: mix channels first, then upsample (the two commute)
                y = conv(x, wc, 1, 1, 1, 0, 0);
                return Upfirdn2d.upfirdn2d(y, f, up, 1, new int[] {px0, px1, py0, py1}, false, (double) up * up, ws[3]);
            }
            // transposed conv with stride up (ND4J deconv2d wants [kH, kW, outC, inC] and applies the
            // kernel unflipped, i.e. a true convolution of the zero-inserted input), then the FIR
            px0 -= kw - 1;
            px1 -= kw - up;
            py0 -= kh - 1;
            py1 -= kh - up;
            int pxt = Math.max(Math.min(-px0, -px1), 0), pyt = Math.max(Math.min(-py0, -py1), 0);
            SDVariable wd = Fold.ifConstant(w, v -> v.getSameDiff().permute(flipWeight ? v.getSameDiff().reverse(v, 0, 1) : v, 0, 1, 3, 2));
            y = deconv(x, wd, kh, kw, up, pyt, pxt);
            y = Upfirdn2d.upfirdn2d(y, f, 1, 1, new int[] {px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt}, false, (double) up * up, ws[3]);
            if (down > 1) y = Upfirdn2d.upfirdn2d(y, f, 1, down, new int[] {0, 0, 0, 0}, false, 1.0, ws[3]);
            return y;
        }
        if (px0 == px1 && py0 == py1 && px0 >= 0 && py0 >= 0) return conv(x, wc, kh, kw, 1, py0, px0);
        SDVariable y = Upfirdn2d.upfirdn2d(x, null, 1, 1, new int[] {px0, px1, py0, py1}, false, 1.0);
        return conv(y, wc, kh, kw, 1, 0, 0);
    }

    /**
     * Plain correlation {@code [N, inC, H, W] x [kH, kW, inC, outC] -> [N, outC, H', W']} with
     * symmetric explicit zero padding and equal strides (SameDiff conv2d, VALID mode, NCHW).
     */
    public static SDVariable conv(SDVariable x, SDVariable w, int kH, int kW, int stride, int padH, int padW) {
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kH).kW(kW).sH(stride).sW(stride).pH(padH).pW(padW).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        return ConstantWeightConv.conv2d(x, w, cfg);
    }

    /**
     * Transposed convolution (torch {@code conv_transpose2d} semantics) of {@code [N, inC, H, W]}
     * with weights {@code [kH, kW, outC, inC]}: output {@code (H-1)*stride + kH - 2*padH}.
     */
    static SDVariable deconv(SDVariable x, SDVariable w, int kH, int kW, int stride, int padH, int padW) {
        DeConv2DConfig cfg = DeConv2DConfig.builder()
                .kH(kH).kW(kW).sH(stride).sW(stride).pH(padH).pW(padW).dH(1).dW(1)
                .isSameMode(false).dataFormat("NCHW").build();
        return ConstantWeightConv.deconv2d(x, w, cfg);
    }

    /** PyTorch {@code [outC, inC, kH, kW]} to ND4J {@code [kH, kW, inC, outC]} (a c-order copy). */
    public static INDArray oihwToYxio(INDArray w) {
        if (w.rank() != 4) throw new IllegalArgumentException("oihwToYxio: expected [outC, inC, kH, kW], got " + Arrays.toString(w.shape()));
        return w.permute(2, 3, 1, 0).dup('c');
    }

    /** ND4J {@code [kH, kW, inC, outC]} to PyTorch {@code [outC, inC, kH, kW]} (a c-order copy). */
    public static INDArray yxioToOihw(INDArray w) {
        if (w.rank() != 4) throw new IllegalArgumentException("yxioToOihw: expected [kH, kW, inC, outC], got " + Arrays.toString(w.shape()));
        return w.permute(3, 2, 0, 1).dup('c');
    }
}
