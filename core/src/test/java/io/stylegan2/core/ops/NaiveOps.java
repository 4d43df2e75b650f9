package io.stylegan2.core.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plain-Java reference implementations (double loops over DOUBLE INDArrays) written directly from
 * the definitions, used to validate the SameDiff ops. Slow; only for tiny tensors.
 */
final class NaiveOps {
    private NaiveOps() {}

    /** upfirdn2d by definition: zero insertion, pad/crop, FIR (flipped unless flipFilter), keep every down-th. */
    static INDArray upfirdn2d(INDArray x, INDArray f, int up, int down, int[] p, boolean flipFilter, double gain) {
        x = x.castTo(DataType.DOUBLE);
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        double[][] f2 = filter2(f);
        int fh = f2.length, fw = f2[0].length;
        int x0 = p[0], x1 = p[1], y0 = p[2], y1 = p[3];
        long hp = h * up + y0 + y1, wp = w * up + x0 + x1;
        long hf = hp - fh + 1, wf = wp - fw + 1;
        long ho = (hf + down - 1) / down, wo = (wf + down - 1) / down;
        INDArray out = Nd4j.zeros(DataType.DOUBLE, n, c, ho, wo);
        for (long b = 0; b < n; b++)
            for (long ch = 0; ch < c; ch++)
                for (long oy = 0; oy < ho; oy++)
                    for (long ox = 0; ox < wo; ox++) {
                        double acc = 0;
                        for (int i = 0; i < fh; i++)
                            for (int j = 0; j < fw; j++) {
                                long py = oy * down + i, px = ox * down + j; // index in padded image
                                long uy = py - y0, ux = px - x0;               // index in upsampled image
                                if (uy < 0 || ux < 0 || uy >= h * up || ux >= w * up) continue;
                                if (uy % up != 0 || ux % up != 0) continue;
                                double tap = flipFilter ? f2[i][j] : f2[fh - 1 - i][fw - 1 - j];
                                acc += tap * x.getDouble(b, ch, uy / up, ux / up);
                            }
                        out.putScalar(new long[] {b, ch, oy, ox}, acc * gain);
                    }
        return out;
    }

    /** 2-D view of a filter: null = [[1]], 1-D = outer product, 2-D as is. */
    static double[][] filter2(INDArray f) {
        if (f == null) return new double[][] {{1}};
        f = f.castTo(DataType.DOUBLE);
        if (f.rank() == 1) {
            int k = (int) f.length();
            double[][] r = new double[k][k];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++) r[i][j] = f.getDouble(i) * f.getDouble(j);
            return r;
        }
        double[][] r = new double[(int) f.size(0)][(int) f.size(1)];
        for (int i = 0; i < r.length; i++)
            for (int j = 0; j < r[0].length; j++) r[i][j] = f.getDouble(i, j);
        return r;
    }

    /** Correlation (torch conv2d) with OIHW weights, stride s, symmetric zero padding py/px. */
    static INDArray conv2dOihw(INDArray x, INDArray wOihw, int s, int py, int px) {
        x = x.castTo(DataType.DOUBLE);
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        long o = wOihw.size(0), kh = wOihw.size(2), kw = wOihw.size(3);
        long ho = (h + 2L * py - kh) / s + 1, wo = (w + 2L * px - kw) / s + 1;
        INDArray out = Nd4j.zeros(DataType.DOUBLE, n, o, ho, wo);
        for (long b = 0; b < n; b++)
            for (long oc = 0; oc < o; oc++)
                for (long oy = 0; oy < ho; oy++)
                    for (long ox = 0; ox < wo; ox++) {
                        double acc = 0;
                        for (long ic = 0; ic < c; ic++)
                            for (long i = 0; i < kh; i++)
                                for (long j = 0; j < kw; j++) {
                                    long iy = oy * s + i - py, ix = ox * s + j - px;
                                    if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
                                    acc += x.getDouble(b, ic, iy, ix) * wOihw.getDouble(oc, ic, i, j);
                                }
                        out.putScalar(new long[] {b, oc, oy, ox}, acc);
                    }
        return out;
    }

    /**
     * torch conv_transpose2d: weight [in, out, kh, kw], stride s, padding py/px (cropped from the
     * full output): out[o][y*s+i-py][x*s+j-px] += x[c][y][x] * wt[c][o][i][j].
     */
    static INDArray convTranspose2d(INDArray x, INDArray wt, int s, int py, int px) {
        x = x.castTo(DataType.DOUBLE);
        long n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        long o = wt.size(1), kh = wt.size(2), kw = wt.size(3);
        long ho = (h - 1) * s - 2L * py + kh, wo = (w - 1) * s - 2L * px + kw;
        INDArray out = Nd4j.zeros(DataType.DOUBLE, n, o, ho, wo);
        for (long b = 0; b < n; b++)
            for (long ic = 0; ic < c; ic++)
                for (long y = 0; y < h; y++)
                    for (long xx = 0; xx < w; xx++) {
                        double v = x.getDouble(b, ic, y, xx);
                        for (long oc = 0; oc < o; oc++)
                            for (long i = 0; i < kh; i++)
                                for (long j = 0; j < kw; j++) {
                                    long oy = y * s + i - py, ox = xx * s + j - px;
                                    if (oy < 0 || ox < 0 || oy >= ho || ox >= wo) continue;
                                    out.putScalar(new long[] {b, oc, oy, ox}, out.getDouble(b, oc, oy, ox) + v * wt.getDouble(ic, oc, i, j));
                                }
                    }
        return out;
    }

    static INDArray flipHw(INDArray wOihw) {
        long o = wOihw.size(0), c = wOihw.size(1), kh = wOihw.size(2), kw = wOihw.size(3);
        INDArray r = Nd4j.zeros(DataType.DOUBLE, o, c, kh, kw);
        for (long a = 0; a < o; a++)
            for (long b = 0; b < c; b++)
                for (long i = 0; i < kh; i++)
                    for (long j = 0; j < kw; j++) r.putScalar(new long[] {a, b, i, j}, wOihw.getDouble(a, b, kh - 1 - i, kw - 1 - j));
        return r;
    }

    /**
     * NVlabs conv2d_resample (groups=1), following its branch structure literally: transposed
     * convolution for up > 1, strided conv for down > 1. Weights OIHW.
     */
    static INDArray conv2dResample(INDArray x, INDArray wOihw, INDArray f, int up, int down, int[] padding, boolean flipWeight) {
        wOihw = wOihw.castTo(DataType.DOUBLE);
        long kh = wOihw.size(2), kw = wOihw.size(3);
        double[][] f2 = filter2(f);
        int fh = f == null ? 1 : f2.length, fw = f == null ? 1 : f2[0].length;
        int px0 = padding[0], px1 = padding[1], py0 = padding[2], py1 = padding[3];
        if (up > 1) {
            px0 += (fw + up - 1) / 2; px1 += (fw - up) / 2; py0 += (fh + up - 1) / 2; py1 += (fh - up) / 2;
        }
        if (down > 1) {
            px0 += (fw - down + 1) / 2; px1 += (fw - down) / 2; py0 += (fh - down + 1) / 2; py1 += (fh - down) / 2;
        }
        INDArray wc = flipWeight ? wOihw : flipHw(wOihw); // weights used for correlation
        if (down > 1 && up == 1) {
            INDArray y = upfirdn2d(x, f, 1, 1, new int[] {px0, px1, py0, py1}, false, 1);
            return conv2dOihw(y, wc, down, 0, 0);
        }
        if (up > 1) {
            // transpose the weight to [in, out, kh, kw]; the transposed conv uses it unflipped when flipWeight=false
            INDArray wt = (flipWeight ? flipHw(wOihw) : wOihw).permute(1, 0, 2, 3).dup();
            px0 -= kw - 1; px1 -= kw - up; py0 -= kh - 1; py1 -= kh - up;
            int pxt = Math.max(Math.min(-px0, -px1), 0), pyt = Math.max(Math.min(-py0, -py1), 0);
            INDArray y = convTranspose2d(x, wt, up, pyt, pxt);
            y = upfirdn2d(y, f, 1, 1, new int[] {px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt}, false, up * up);
            if (down > 1) y = upfirdn2d(y, f, 1, down, new int[] {0, 0, 0, 0}, false, 1);
            return y;
        }
        INDArray y = upfirdn2d(x, null, 1, 1, new int[] {px0, px1, py0, py1}, false, 1);
        return conv2dOihw(y, wc, 1, 0, 0);
    }
}
