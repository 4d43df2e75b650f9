package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Upsample, pad, FIR-filter and downsample a batch of images ({@code upfirdn2d}), as in the
 * reference path of StyleGAN2-ADA, built from differentiable SameDiff ops.
 *
 * <p>For every channel of {@code x [N, C, H, W]}:
 * <ol>
 *   <li>upsample by inserting {@code up - 1} zeros after every pixel in x and y
 *       ({@code [H, W] -> [H*up, W*up]});</li>
 *   <li>pad with zeros by {@code padding = [x0, x1, y0, y1]} (negative = crop);</li>
 *   <li>filter with the FIR filter {@code f} ({@code [fh, fw]}, or 1-D {@code [k]} applied
 *       separably along both axes), keeping only outputs whose footprint lies inside the padded
 *       image; the filter is scaled by {@code gain} in total (for a 1-D filter, {@code sqrt(gain)}
 *       per axis) and is flipped (true convolution) unless {@code flipFilter} is set
 *       (correlation);</li>
 *   <li>downsample by keeping every {@code down}-th row and column, starting at 0.</li>
 * </ol>
 * Output size: {@code outH = floor((H*up + y0 + y1 - fh) / down) + 1} (likewise for W).
 *
 * <p>Channel count and spatial size of {@code x} must be known at graph build time; the batch
 * dimension may be dynamic. Filters are {@link INDArray} constants (any floating type; cast to the
 * data type of {@code x}); {@code null} means the 1x1 identity filter. Gradients flow to {@code x}
 * only. Implementation: reshape + CONSTANT pad for the zero insertion, CONSTANT pad / strided slice
 * for the padding, and a depthwise convolution (stride {@code down}) for filter + downsampling.
 */
public final class Upfirdn2d {
    private static final String OP = "upfirdn2d";

    private Upfirdn2d() {}

    /**
     * Prepares a FIR filter like NVlabs' {@code setup_filter} for a 1-D tap list: the outer product
     * {@code f[i][j] = taps[i] * taps[j]} ({@code [k, k]}), divided by its sum if
     * {@code normalize}, flipped in both axes if {@code flip}. Returned as DOUBLE {@code [k, k]}.
     * E.g. {@code setupFilter(new double[]{1,3,3,1}, true, false)} is StyleGAN2's resample filter.
     */
    public static INDArray setupFilter(double[] taps, boolean normalize, boolean flip) {
        if (taps == null || taps.length == 0) throw new IllegalArgumentException(OP + ": setupFilter needs at least one tap");
        int k = taps.length;
        double[][] f = new double[k][k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) f[i][j] = taps[i] * taps[j];
        return setupFilter(f, normalize, flip);
    }

    /** {@link #setupFilter(double[], boolean, boolean)} with normalisation and no flip. */
    public static INDArray setupFilter(double... taps) {
        return setupFilter(taps, true, false);
    }

    /** Prepares a 2-D filter {@code [fh, fw]}: optional normalisation to sum 1, optional flip. */
    public static INDArray setupFilter(double[][] f2d, boolean normalize, boolean flip) {
        int fh = f2d.length, fw = f2d[0].length;
        double sum = 0;
        for (double[] row : f2d) {
            if (row.length != fw) throw new IllegalArgumentException(OP + ": ragged 2-D filter");
            for (double v : row) sum += v;
        }
        double[][] out = new double[fh][fw];
        for (int i = 0; i < fh; i++)
            for (int j = 0; j < fw; j++) {
                double v = f2d[flip ? fh - 1 - i : i][flip ? fw - 1 - j : j];
                out[i][j] = normalize ? v / sum : v;
            }
        return Nd4j.createFromArray(out);
    }

    /** {@code [fw, fh]} of a filter ({@code [1, 1]} for null), as NVlabs' {@code _get_filter_size}. */
    public static int[] filterSize(INDArray f) {
        if (f == null) return new int[] {1, 1};
        if (f.rank() == 1) return new int[] {(int) f.size(0), (int) f.size(0)};
        if (f.rank() == 2) return new int[] {(int) f.size(1), (int) f.size(0)};
        throw new IllegalArgumentException(OP + ": filter must be 1-D [k] or 2-D [fh, fw], got shape " + Arrays.toString(f.shape()));
    }

    /**
     * The general op; see the class comment.
     *
     * @param x          {@code [N, C, H, W]}
     * @param f          FIR filter {@code [fh, fw]} or separable {@code [k]}, or null (identity)
     * @param up         upsampling factor (>= 1)
     * @param down       downsampling factor (>= 1)
     * @param padding    {@code [x0, x1, y0, y1]} (also accepted: {@code [p]} or {@code [px, py]}),
     *                   relative to the upsampled image; negative crops
     * @param flipFilter false = convolution (NVlabs default), true = correlation
     * @param gain       overall gain of the filter
     * @return {@code [N, C, outH, outW]}
     */
    public static SDVariable upfirdn2d(SDVariable x, INDArray f, int up, int down, int[] padding, boolean flipFilter, double gain) {
        if (up < 1 || down < 1) throw new IllegalArgumentException(OP + ": up and down must be >= 1, got up=" + up + " down=" + down);
        int[] p = Shapes.padding4(padding, OP);
        long[] s = Shapes.shape(x, 4, OP, "x");
        Shapes.requireStatic(OP, "x", s, 1, 2, 3);
        SameDiff sd = x.getSameDiff();
        DataType dt = x.dataType();
        long c = s[1], h = s[2], w = s[3];

        // 1. zero insertion: [N,C,H,1,W,1] padded to [N,C,H,up,W,up]
        if (up > 1) {
            x = sd.reshape(x, -1, c, h, 1, w, 1);
            SDVariable pads = sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, 0}, {0, up - 1}, {0, 0}, {0, up - 1}}));
            x = sd.nn().pad(x, pads, PadMode.CONSTANT, 0.0);
            h *= up;
            w *= up;
            x = sd.reshape(x, -1, c, h, w);
        }

        // 2. pad (positive parts) and crop (negative parts)
        int x0 = p[0], x1 = p[1], y0 = p[2], y1 = p[3];
        if (x0 > 0 || x1 > 0 || y0 > 0 || y1 > 0) {
            SDVariable pads = sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {Math.max(y0, 0), Math.max(y1, 0)}, {Math.max(x0, 0), Math.max(x1, 0)}}));
            x = sd.nn().pad(x, pads, PadMode.CONSTANT, 0.0);
            h += Math.max(y0, 0) + Math.max(y1, 0);
            w += Math.max(x0, 0) + Math.max(x1, 0);
        }
        if (x0 < 0 || x1 < 0 || y0 < 0 || y1 < 0) {
            long cy0 = Math.max(-y0, 0), cy1 = Math.max(-y1, 0), cx0 = Math.max(-x0, 0), cx1 = Math.max(-x1, 0);
            if (h - cy0 - cy1 <= 0 || w - cx0 - cx1 <= 0)
                throw new IllegalArgumentException(OP + ": padding " + Arrays.toString(p) + " crops away the whole " + Arrays.toString(s) + " input (up=" + up + ")");
            // begin/end masks on dims 0 and 1 keep the (possibly dynamic) batch and all channels
            x = sd.stridedSlice(x, new long[] {0, 0, cy0, cx0}, new long[] {0, 0, h - cy1, w - cx1}, new long[] {1, 1, 1, 1}, 3, 3, 0, 0, 0);
            h -= cy0 + cy1;
            w -= cx0 + cx1;
        }

        // 3 + 4. FIR filter (depthwise, valid) with the downsampling as its stride
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        if (h < fh || w < fw)
            throw new IllegalArgumentException(OP + ": padded input " + h + "x" + w + " is smaller than the filter " + fh + "x" + fw + " (x " + Arrays.toString(s) + ", padding " + Arrays.toString(p) + ", up " + up + ")");
        if (f == null) {
            if (gain != 1.0) x = x.mul(gain);
            if (down > 1) x = sd.stridedSlice(x, new long[] {0, 0, 0, 0}, new long[] {0, 0, h, w}, new long[] {1, 1, down, down}, 3, 3, 0, 0, 0);
            return x;
        }
        // plain-Java 2-D view of the (flipped, gain-scaled) filter
        boolean sep = f.rank() == 1;
        double[] flat = f.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double g = sep ? Math.sqrt(gain) : gain;
        double[] k = new double[flat.length];
        for (int i = 0; i < flat.length; i++) k[i] = g * flat[flipFilter ? i : flat.length - 1 - i]; // reversing the
        // flat buffer of a c-order array flips every axis at once
        if (!sep) return depthwise(x, kernel(k, fh, fw, c, dt), fh, fw, down, down);
        // separable: along x (stride down) then along y (stride down)
        x = depthwise(x, kernel(k, 1, fw, c, dt), 1, fw, 1, down);
        return depthwise(x, kernel(k, fh, 1, c, dt), fh, 1, down, 1);
    }

    /** Depthwise weights [kh, kw, C, 1]: the same [kh, kw] kernel (row-major in k) for every channel. */
    private static INDArray kernel(double[] k, int kh, int kw, long c, DataType dt) {
        int cc = Math.toIntExact(c);
        double[] out = new double[kh * kw * cc];
        for (int i = 0; i < kh * kw; i++)
            for (int ch = 0; ch < cc; ch++) out[i * cc + ch] = k[i];
        return Nd4j.create(out, new long[] {kh, kw, c, 1}, DataType.DOUBLE).castTo(dt);
    }

    private static SDVariable depthwise(SDVariable x, INDArray k, long kh, long kw, long sh, long sw) {
        SameDiff sd = x.getSameDiff();
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kh).kW(kw).sH(sh).sW(sw).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        return sd.cnn().depthWiseConv2d(x, sd.constant(k), cfg);
    }

    /**
     * Filters with {@code f} keeping the size ({@code padding} extra, NVlabs' {@code filter2d}):
     * padding {@code [x0 + fw/2, x1 + (fw-1)/2, y0 + fh/2, y1 + (fh-1)/2]}, gain 1, convolution.
     */
    public static SDVariable filter2d(SDVariable x, INDArray f, int[] padding) {
        int[] p = Shapes.padding4(padding, "filter2d");
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        return upfirdn2d(x, f, 1, 1, new int[] {p[0] + fw / 2, p[1] + (fw - 1) / 2, p[2] + fh / 2, p[3] + (fh - 1) / 2}, false, 1.0);
    }

    /**
     * Upsamples by {@code up} (NVlabs' {@code upsample2d}): padding
     * {@code [x0 + (fw+up-1)/2, x1 + (fw-up)/2, y0 + (fh+up-1)/2, y1 + (fh-up)/2]}, gain
     * {@code up^2} (keeps the mean), convolution. {@code [N,C,H,W] -> [N,C,H*up,W*up]} for zero
     * extra padding.
     */
    public static SDVariable upsample2d(SDVariable x, INDArray f, int up, int[] padding) {
        int[] p = Shapes.padding4(padding, "upsample2d");
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        int[] q = {p[0] + (fw + up - 1) / 2, p[1] + (fw - up) / 2, p[2] + (fh + up - 1) / 2, p[3] + (fh - up) / 2};
        return upfirdn2d(x, f, up, 1, q, false, (double) up * up);
    }

    /**
     * Downsamples by {@code down} (NVlabs' {@code downsample2d}): padding
     * {@code [x0 + (fw-down+1)/2, x1 + (fw-down)/2, y0 + (fh-down+1)/2, y1 + (fh-down)/2]}, gain 1,
     * convolution. {@code [N,C,H,W] -> [N,C,H/down,W/down]} for even sizes and zero extra padding.
     */
    public static SDVariable downsample2d(SDVariable x, INDArray f, int down, int[] padding) {
        int[] p = Shapes.padding4(padding, "downsample2d");
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        int[] q = {p[0] + (fw - down + 1) / 2, p[1] + (fw - down) / 2, p[2] + (fh - down + 1) / 2, p[3] + (fh - down) / 2};
        return upfirdn2d(x, f, 1, down, q, false, 1.0);
    }
}
