package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-scale SSIM (Wang et al. 2003) as pytorch-msssim's {@code ms_ssim}: 5 scales with weights
 * weights [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]; at each scale the per-channel SSIM
 * statistics of {@link Ssim} (11-tap Gaussian window, sigma 1.5, K1 0.01, K2 0.03, 'valid'); between
 * scales 2x2 average pooling with stride 2 (an odd side is zero-padded by one pixel on both sides,
 * padded zeros counted, as {@code F.avg_pool2d(x, 2, padding=s % 2)}). Per channel:
 * {@code prod_{l<4} relu(cs_l)^w_l * relu(ssim_4)^w_4}, then the mean over channels.
 *
 * <p><b>Minimum size:</b> the smaller side must be larger than {@code (11 - 1) * 2^4 = 160} pixels
 * (at least 161), so that the coarsest scale is still >= 11 pixels; smaller images are rejected.
 * Identical images give exactly 1. No external reference was available here: it is tested against
 * a naive implementation (direct 2-d convolution) and its properties.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. {@link Result} is
 * shallowly immutable.
 */
public final class MsSsim {
    private MsSsim() {}

    private static final double[] WEIGHTS = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
    /** Smallest accepted side: {@code (WINDOW - 1) * 2^(scales - 1) + 1}. */
    public static final int MIN_SIZE = (Ssim.WINDOW - 1) * 16 + 1;

    public record Result(PixelRange range, double[] perImage, double mean) {}

    /** MS-SSIM of one image {@code [C,H,W]}. */
    public static double image(INDArray a, INDArray b, double dataRange) {
        Pixels.requireSameShape(a, b);
        INDArray x = Pixels.asBatch(a), y = Pixels.asBatch(b);
        if (x.size(0) != 1) throw new IllegalArgumentException("one image expected, got a batch of " + x.size(0));
        int c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        if (Math.min(h, w) < MIN_SIZE)
            throw new IllegalArgumentException("MS-SSIM needs images of at least " + MIN_SIZE + " px on the smaller side, got " + h + "x" + w);
        double[] px = Pixels.doubles(x), py = Pixels.doubles(y);
        double[] prod = new double[c];
        java.util.Arrays.fill(prod, 1.0);
        for (int level = 0; level < WEIGHTS.length; level++) {
            Ssim.ChannelStats s = Ssim.stats(px, py, c, h, w, dataRange);
            double[] v = level < WEIGHTS.length - 1 ? s.cs() : s.ssim();
            for (int ch = 0; ch < c; ch++) prod[ch] *= Math.pow(Math.max(v[ch], 0.0), WEIGHTS[level]);
            if (level < WEIGHTS.length - 1) {
                int nh = pooledSize(h), nw = pooledSize(w);
                px = avgPool(px, c, h, w);
                py = avgPool(py, c, h, w);
                h = nh;
                w = nw;
            }
        }
        return Mse.mean(prod);
    }

    public static double image(INDArray a, INDArray b, PixelRange range) {
        return image(a, b, range.dataRange());
    }

    public static double[] perImage(INDArray a, INDArray b, double dataRange) {
        return Pixels.perImage(a, b, (x, y) -> image(x, y, dataRange));
    }

    public static Result batch(INDArray a, INDArray b, PixelRange range) {
        double[] v = perImage(a, b, range.dataRange());
        return new Result(range, v, Mse.mean(v));
    }

    static int pooledSize(int s) {
        int pad = s % 2;
        return (s + 2 * pad - 2) / 2 + 1;
    }

    /** 2x2 stride-2 average pooling, zero padding {@code s % 2} per side, zeros counted. */
    static double[] avgPool(double[] p, int c, int h, int w) {
        int ph = h % 2, pw = w % 2, oh = pooledSize(h), ow = pooledSize(w);
        double[] out = new double[c * oh * ow];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int di = 0; di < 2; di++)
                        for (int dj = 0; dj < 2; dj++) {
                            int r = 2 * i + di - ph, q = 2 * j + dj - pw;
                            if (r >= 0 && r < h && q >= 0 && q < w) s += p[(ch * h + r) * w + q];
                        }
                    out[(ch * oh + i) * ow + j] = s / 4.0;
                }
        return out;
    }
}
