package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.Upfirdn2dPath;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
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
 * <p>Shapes of {@code x} may be dynamic (all reshapes use runtime shapes), so {@code x} can be any
 * op output. Filters are {@link INDArray} constants (any floating type; cast to the data type of
 * {@code x}); {@code null} means the 1x1 identity filter. Gradients flow to {@code x} only.
 *
 * <p>Three formulations, chosen at build time by the engine setting {@code upfirdn2d}
 * ({@link io.stylegan2.core.engine.EngineOptions#upfirdn2d()}) and tested equal (values and
 * gradients):
 * <ul>
 *   <li>the Java kernel ({@link Upfirdn2dOp}; default on the CPU backend, FLOAT and DOUBLE, any
 *       filter): one op each way, nothing materialised; measured in graphs at 64-256 px, 20-270x
 *       faster than the convolutions for up x2 and 1.5-2.6x for down x2;</li>
 *   <li>oneDNN convolutions when the channel count is known (see
 *       {@link #upfirdn2d(SDVariable, INDArray, int, int, int[], boolean, double, long)}): one
 *       depthwise or transposed convolution (the default where Java kernels are off, e.g. CUDA);</li>
 *   <li>the reference (the oracle, and the fallback when neither applies): expand + CONSTANT pad +
 *       reshape for the zero insertion, CONSTANT pad / strided slice for the padding, and a
 *       single-channel conv2d over {@code [N*C, 1, H, W]} (stride {@code down}) for filter +
 *       downsampling.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> Stateless (the engine settings are read per thread from
 * {@code Engine.current()}); a SameDiff instance itself is not thread-safe, so build one graph from
 * one thread. {@link #setupFilter} returns a fresh array each call.
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
        return upfirdn2d(x, f, up, down, padding, flipFilter, gain, -1);
    }

    /**
     * As {@link #upfirdn2d(SDVariable, INDArray, int, int, int[], boolean, double)}, with the
     * channel count {@code C} of {@code x} given by the caller (SameDiff does not know the shape of
     * op outputs at build time); {@code channels < 1} means unknown (then the static shape is used
     * if there is one). With a filter and Java kernels active, {@link Upfirdn2dPath#AUTO} builds the
     * Java kernel whatever C. Otherwise, with a known C and a filter, and unless the engine setting
     * {@code upfirdn2d} says {@code reference}, the convolution path runs: a depthwise convolution ({@code up == 1},
     * the stride doing the downsampling) or one transposed convolution with stride {@code up}
     * carrying the filter ({@code up > 1, down == 1}); both are oneDNN kernels on CPU. Otherwise,
     * and for {@code up > 1} with {@code down > 1}, the reference formulation of the class comment
     * runs. All are tested equal (values and gradients).
     */
    public static SDVariable upfirdn2d(SDVariable x, INDArray f, int up, int down, int[] padding, boolean flipFilter, double gain, long channels) {
        if (up < 1 || down < 1) throw new IllegalArgumentException(OP + ": up and down must be >= 1, got up=" + up + " down=" + down);
        int[] p = Shapes.padding4(padding, OP);
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        long[] s = Shapes.staticShapeOrNull(x);
        if (s != null) {
            if (s.length != 4) throw new IllegalArgumentException(OP + ": x must be [N, C, H, W], got shape " + Arrays.toString(s));
            if (channels > 0 && s[1] > 0 && s[1] != channels)
                throw new IllegalArgumentException(OP + ": channels=" + channels + " but x has shape " + Arrays.toString(s));
            if (channels < 1 && s[1] > 0) channels = s[1];
            long hp = s[2] * up + p[2] + p[3], wp = s[3] * up + p[0] + p[1];
            if (s[2] > 0 && s[3] > 0 && (hp < fh || wp < fw))
                throw new IllegalArgumentException(OP + ": padded input " + hp + "x" + wp + " is smaller than the filter " + fh + "x" + fw + " (x " + Arrays.toString(s) + ", padding " + Arrays.toString(p) + ", up " + up + ")");
        }
        Upfirdn2dPath path = Engine.current().upfirdn2d();
        if (f != null && path == Upfirdn2dPath.AUTO && Engine.get().patches().upfirdn2dKernel()
                && (x.dataType() == DataType.FLOAT || x.dataType() == DataType.DOUBLE))
            return Upfirdn2dOp.of(x, up, down, p, kernel(f, flipFilter, gain));
        if (f != null && channels > 0 && !(up > 1 && down > 1) && path != Upfirdn2dPath.REFERENCE)
            return up == 1 ? depthwise(x, kernel(f, flipFilter, gain), down, p, channels)
                           : transposed(x, kernel(f, flipFilter, gain), up, p, channels);
        return reference(x, f, up, down, p, flipFilter, gain);
    }

    /** Up to this many channels the transposed conv uses a dense diagonal kernel, above it the channels are folded into the batch. */
    static final long DENSE_UP_MAX_CHANNELS = 32;

    /**
     * The correlation kernel {@code k[fh][fw]} that {@link #reference} applies: the filter (outer
     * product for 1-D taps) times {@code gain}, flipped in both axes unless {@code flipFilter}.
     */
    private static double[][] kernel(INDArray f, boolean flipFilter, double gain) {
        double[] flat = f.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int n = flat.length;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) t[i] = flat[flipFilter ? i : n - 1 - i];
        if (f.rank() == 1) {
            double[][] k = new double[n][n];
            for (int a = 0; a < n; a++)
                for (int b = 0; b < n; b++) k[a][b] = gain * t[a] * t[b];
            return k;
        }
        int fh = (int) f.size(0), fw = (int) f.size(1);
        double[][] k = new double[fh][fw];
        for (int a = 0; a < fh; a++)
            for (int b = 0; b < fw; b++) k[a][b] = gain * t[a * fw + b];
        return k;
    }

    /** Filter and downsample: pad/crop, then a depthwise correlation with {@code k} and stride {@code down}. */
    private static SDVariable depthwise(SDVariable x, double[][] k, int down, int[] p, long channels) {
        SameDiff sd = x.getSameDiff();
        int kh = k.length, kw = k[0].length;
        int padH = 0, padW = 0;
        if (p[0] == p[1] && p[2] == p[3] && p[0] >= 0 && p[2] >= 0) { // symmetric: the conv pads
            padW = p[0];
            padH = p[2];
        } else {
            x = padCrop(x, p[0], p[1], p[2], p[3]);
        }
        double[] w = new double[kh * kw * (int) channels]; // [kh, kw, C, 1]
        for (int a = 0; a < kh; a++)
            for (int b = 0; b < kw; b++)
                for (int c = 0; c < channels; c++) w[(a * kw + b) * (int) channels + c] = k[a][b];
        INDArray wk = Nd4j.create(w, new long[] {kh, kw, channels, 1}, DataType.DOUBLE).castTo(x.dataType());
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kh).kW(kw).sH(down).sW(down).pH(padH).pW(padW).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        return FirDepthwiseConv.of(x, sd.constant(wk), cfg);
    }

    /**
     * Upsample and filter (down = 1) as one transposed convolution with stride {@code up} and the
     * kernel {@code k} flipped, then pad/crop to the reference's window. Per axis (rows shown):
     * the transposed conv D of x satisfies {@code out[i] = D[i + sy]} with {@code sy = kh-1-y0}, and D
     * extends {@code ey = kh - up - y1} samples past the last output; the symmetric part of the two
     * is the deconv's own padding, the rest an explicit pad (negative) or crop (positive).
     */
    private static SDVariable transposed(SDVariable x, double[][] k, int up, int[] p, long channels) {
        SameDiff sd = x.getSameDiff();
        DataType dt = x.dataType();
        int kh = k.length, kw = k[0].length;
        int sy = kh - 1 - p[2], ey = kh - up - p[3], sx = kw - 1 - p[0], ex = kw - up - p[1];
        int padH = Math.max(0, Math.min(sy, ey)), padW = Math.max(0, Math.min(sx, ex));
        int c = (int) channels;
        boolean dense = channels <= DENSE_UP_MAX_CHANNELS;
        int m = dense ? c : 1;
        double[] w = new double[kh * kw * m * m]; // [kh, kw, m, m], diagonal in the channels
        for (int a = 0; a < kh; a++)
            for (int b = 0; b < kw; b++)
                for (int i = 0; i < m; i++) w[((a * kw + b) * m + i) * m + i] = k[kh - 1 - a][kw - 1 - b];
        INDArray wk = Nd4j.create(w, new long[] {kh, kw, m, m}, DataType.DOUBLE).castTo(dt);
        DeConv2DConfig cfg = DeConv2DConfig.builder()
                .kH(kh).kW(kw).sH(up).sW(up).pH(padH).pW(padW).dH(1).dW(1)
                .isSameMode(false).dataFormat("NCHW").build();
        SDVariable y;
        if (dense) {
            y = ConstantWeightConv.deconv2d(x, sd.constant(wk), cfg);
        } else { // channels folded into the batch: [N*C, 1, H, W]
            SDVariable nc = sd.stridedSlice(sd.shape(x), new long[] {0}, new long[] {2}, new long[] {1});
            y = ConstantWeightConv.deconv2d(sd.reshape(x, sd.concat(0, sd.constant(Nd4j.createFromArray(-1L, 1L)), hw(x))), sd.constant(wk), cfg);
            y = sd.reshape(y, sd.concat(0, nc, hw(y)));
        }
        return padCrop(y, padW - sx, padW - ex, padH - sy, padH - ey);
    }

    /** Zero-pads by the positive and crops by the negative parts of {@code [x0, x1, y0, y1]}. */
    private static SDVariable padCrop(SDVariable x, int x0, int x1, int y0, int y1) {
        SameDiff sd = x.getSameDiff();
        if (x0 > 0 || x1 > 0 || y0 > 0 || y1 > 0) {
            SDVariable pads = sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {Math.max(y0, 0), Math.max(y1, 0)}, {Math.max(x0, 0), Math.max(x1, 0)}}));
            x = sd.nn().pad(x, pads, PadMode.CONSTANT, 0.0);
        }
        if (x0 < 0 || x1 < 0 || y0 < 0 || y1 < 0) {
            long cy0 = Math.max(-y0, 0), cy1 = Math.max(-y1, 0), cx0 = Math.max(-x0, 0), cx1 = Math.max(-x1, 0);
            // negative end indices count from the end; an end-mask bit means "to the end"
            int endMask = 1 | 2 | (cy1 == 0 ? 4 : 0) | (cx1 == 0 ? 8 : 0);
            x = sd.stridedSlice(x, new long[] {0, 0, cy0, cx0}, new long[] {0, 0, -cy1, -cx1}, new long[] {1, 1, 1, 1}, 3, endMask, 0, 0, 0);
        }
        return x;
    }

    /** The reference formulation of the class comment (any shape knowledge, any up/down). */
    private static SDVariable reference(SDVariable x, INDArray f, int up, int down, int[] p, boolean flipFilter, double gain) {
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        SameDiff sd = x.getSameDiff();
        DataType dt = x.dataType();

        // 1. zero insertion: [N,C,H,W] -> [N,C,H,1,W,1] -> pad -> [N,C,H,up,W,up] -> [N,C,H*up,W*up]
        if (up > 1) {
            SDVariable upShape = sd.shape(x).mul(sd.constant(Nd4j.createFromArray(1L, 1L, up, up)));
            x = sd.expandDims(sd.expandDims(x, 3), 5);
            SDVariable pads = sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {0, 0}, {0, up - 1}, {0, 0}, {0, up - 1}}));
            x = sd.nn().pad(x, pads, PadMode.CONSTANT, 0.0);
            x = sd.reshape(x, upShape);
        }

        // 2. pad (positive parts) and crop (negative parts)
        x = padCrop(x, p[0], p[1], p[2], p[3]);

        // 3 + 4. FIR filter (valid) with the downsampling as its stride
        if (f == null) {
            if (gain != 1.0) x = x.mul(gain);
            if (down > 1) x = sd.stridedSlice(x, new long[] {0, 0, 0, 0}, new long[] {0, 0, 0, 0}, new long[] {1, 1, down, down}, 15, 15, 0, 0, 0);
            return x;
        }
        boolean sep = f.rank() == 1;
        double[] flat = f.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double g = sep ? Math.sqrt(gain) : gain;
        double[] k = new double[flat.length];
        // reversing the flat buffer of a c-order array flips every axis at once
        for (int i = 0; i < flat.length; i++) k[i] = g * flat[flipFilter ? i : flat.length - 1 - i];

        // channels folded into the batch, so one single-channel conv serves any C: [N*C, 1, H, W]
        SDVariable nc = sd.stridedSlice(sd.shape(x), new long[] {0}, new long[] {2}, new long[] {1});
        SDVariable y = sd.reshape(x, sd.concat(0, sd.constant(Nd4j.createFromArray(-1L, 1L)), hw(x)));
        if (!sep) {
            y = conv1(y, k, fh, fw, down, down, dt);
        } else { // along x (stride down) then along y (stride down)
            y = conv1(y, k, 1, fw, 1, down, dt);
            y = conv1(y, k, fh, 1, down, 1, dt);
        }
        return sd.reshape(y, sd.concat(0, nc, hw(y)));
    }

    /** The dynamic [H, W] part of the shape of a rank-4 variable. */
    private static SDVariable hw(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        return sd.stridedSlice(sd.shape(x), new long[] {2}, new long[] {4}, new long[] {1});
    }

    /** Single-channel valid correlation of [M, 1, H, W] with the [kh, kw] kernel k (row-major). */
    private static SDVariable conv1(SDVariable x, double[] k, int kh, int kw, int sh, int sw, DataType dt) {
        SameDiff sd = x.getSameDiff();
        INDArray wk = Nd4j.create(k, new long[] {kh, kw, 1, 1}, DataType.DOUBLE).castTo(dt);
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kh).kW(kw).sH(sh).sW(sw).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build();
        return ConstantWeightConv.conv2d(x, sd.constant(wk), cfg);
    }

    /**
     * Filters with {@code f} keeping the size ({@code padding} extra, NVlabs' {@code filter2d}):
     * padding {@code [x0 + fw/2, x1 + (fw-1)/2, y0 + fh/2, y1 + (fh-1)/2]}, gain 1, convolution.
     */
    public static SDVariable filter2d(SDVariable x, INDArray f, int[] padding) {
        return filter2d(x, f, padding, -1);
    }

    /** {@link #filter2d(SDVariable, INDArray, int[])} for {@code x} with {@code channels} channels (fast path). */
    public static SDVariable filter2d(SDVariable x, INDArray f, int[] padding, long channels) {
        int[] p = Shapes.padding4(padding, "filter2d");
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        return upfirdn2d(x, f, 1, 1, new int[] {p[0] + fw / 2, p[1] + (fw - 1) / 2, p[2] + fh / 2, p[3] + (fh - 1) / 2}, false, 1.0, channels);
    }

    /**
     * Upsamples by {@code up} (NVlabs' {@code upsample2d}): padding
     * {@code [x0 + (fw+up-1)/2, x1 + (fw-up)/2, y0 + (fh+up-1)/2, y1 + (fh-up)/2]}, gain
     * {@code up^2} (keeps the mean), convolution. {@code [N,C,H,W] -> [N,C,H*up,W*up]} for zero
     * extra padding.
     */
    public static SDVariable upsample2d(SDVariable x, INDArray f, int up, int[] padding) {
        return upsample2d(x, f, up, padding, -1);
    }

    /** {@link #upsample2d(SDVariable, INDArray, int, int[])} for {@code x} with {@code channels} channels (fast path). */
    public static SDVariable upsample2d(SDVariable x, INDArray f, int up, int[] padding, long channels) {
        return upfirdn2d(x, f, up, 1, upsample2dPadding(f, up, padding), false, (double) up * up, channels);
    }

    /**
     * The {@code [x0, x1, y0, y1]} padding that {@link #upsample2d} passes to {@link #upfirdn2d} (with
     * {@code up}, {@code down = 1}, convolution, gain {@code up^2}) for the extra {@code padding}; for
     * backward passes that take the adjoint of that call.
     */
    public static int[] upsample2dPadding(INDArray f, int up, int[] padding) {
        int[] p = Shapes.padding4(padding, "upsample2d");
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        return new int[] {p[0] + (fw + up - 1) / 2, p[1] + (fw - up) / 2, p[2] + (fh + up - 1) / 2, p[3] + (fh - up) / 2};
    }

    /**
     * Downsamples by {@code down} (NVlabs' {@code downsample2d}): padding
     * {@code [x0 + (fw-down+1)/2, x1 + (fw-down)/2, y0 + (fh-down+1)/2, y1 + (fh-down)/2]}, gain 1,
     * convolution. {@code [N,C,H,W] -> [N,C,H/down,W/down]} for even sizes and zero extra padding.
     */
    public static SDVariable downsample2d(SDVariable x, INDArray f, int down, int[] padding) {
        return downsample2d(x, f, down, padding, -1);
    }

    /** {@link #downsample2d(SDVariable, INDArray, int, int[])} for {@code x} with {@code channels} channels (fast path). */
    public static SDVariable downsample2d(SDVariable x, INDArray f, int down, int[] padding, long channels) {
        int[] p = Shapes.padding4(padding, "downsample2d");
        int[] fs = filterSize(f);
        int fw = fs[0], fh = fs[1];
        int[] q = {p[0] + (fw - down + 1) / 2, p[1] + (fw - down) / 2, p[2] + (fh - down + 1) / 2, p[3] + (fh - down) / 2};
        return upfirdn2d(x, f, 1, down, q, false, 1.0, channels);
    }
}
