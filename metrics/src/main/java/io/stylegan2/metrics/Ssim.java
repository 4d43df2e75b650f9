package io.stylegan2.metrics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Structural similarity (Wang et al. 2004) with the common reference settings: Gaussian window of
 * 11 taps, sigma 1.5 (weights {@code exp(-x^2 / (2 sigma^2))}, x = -5..5, normalised), K1 = 0.01,
 * K2 = 0.03, population (not sample) covariances, an explicit data range, 'valid' filtering (the
 * SSIM map covers only the positions where the whole window lies inside the image: {@code
 * (H-10) x (W-10)}), the map averaged per channel, then the channels averaged.
 *
 * <p>This equals skimage {@code structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=R, channel_axis=0)} (which filters with reflection and
 * then crops 5 pixels per side, i.e. 'valid') and pytorch-msssim's {@code ssim(...,
 * win_size=11, win_sigma=1.5)}; tested against skimage to 1e-6 (see
 * {@code metrics/src/test/python/ssim_psnr_reference.py}). Computed in float64 on the CPU (separable
 * filtering); images need H, W >= 11.
 *
 * <p>Data range: 2 for images in [-1, 1], 255 for [0, 255] ({@link PixelRange}). <b>SSIM depends on
 * the convention</b>, not only on the data range: its luminance term {@code (2 mx my + C1) / (mx^2 +
 * my^2 + C1)} is not invariant to shifting the pixel values, so images in [-1, 1] with range 2 give
 * a different value (here up to a few 0.01) than the same images in [0, 255] with range 255 (which
 * equals [0, 1] with range 1, the usual way papers report SSIM). Use {@link PixelRange#BYTE}
 * (convert with {@link PixelRange#convert}) for numbers comparable with the literature;
 * {@link ImageMetrics#compute} maps the [-1, 1] images to the convention it is given.
 *
 * <p><b>Thread safety:</b> Stateless (the window is a private constant); every method is safe to
 * call from any thread. {@link Result} is shallowly immutable (its array is not copied).
 */
public final class Ssim {
    private Ssim() {}

    public static final int WINDOW = 11;
    public static final double SIGMA = 1.5;
    public static final double K1 = 0.01;
    public static final double K2 = 0.03;

    /** Per-image SSIM of a batch and the batch mean. */
    public record Result(PixelRange range, double[] perImage, double mean) {}

    /** Mean SSIM and mean contrast-structure term {@code cs} of each channel of one image. */
    record ChannelStats(double[] ssim, double[] cs) {}

    private static final double[] GAUSS = gaussian(WINDOW, SIGMA);

    static double[] gaussian(int size, double sigma) {
        double[] g = new double[size];
        int r = size / 2;
        double s = 0;
        for (int i = 0; i < size; i++) {
            double x = i - r;
            g[i] = Math.exp(-0.5 * x * x / (sigma * sigma));
            s += g[i];
        }
        for (int i = 0; i < size; i++) g[i] /= s;
        return g;
    }

    /** SSIM of one image {@code [C,H,W]} ({@code [H,W]} = one channel), channels averaged. */
    public static double image(INDArray a, INDArray b, double dataRange) {
        double[] per = perChannel(a, b, dataRange);
        return Mse.mean(per);
    }

    /** SSIM of one image in the convention {@code range}. */
    public static double image(INDArray a, INDArray b, PixelRange range) {
        return image(a, b, range.dataRange());
    }

    /** SSIM of each channel of one image {@code [C,H,W]}. */
    public static double[] perChannel(INDArray a, INDArray b, double dataRange) {
        Pixels.requireSameShape(a, b);
        INDArray x = Pixels.asBatch(a), y = Pixels.asBatch(b);
        if (x.size(0) != 1) throw new IllegalArgumentException("one image expected, got a batch of " + x.size(0));
        int c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        return stats(Pixels.doubles(x), Pixels.doubles(y), c, h, w, dataRange).ssim();
    }

    /** Per-image SSIM of {@code [N,C,H,W]} batches. */
    public static double[] perImage(INDArray a, INDArray b, double dataRange) {
        return Pixels.perImage(a, b, (x, y) -> image(x, y, dataRange));
    }

    public static Result batch(INDArray a, INDArray b, PixelRange range) {
        double[] v = perImage(a, b, range.dataRange());
        return new Result(range, v, Mse.mean(v));
    }

    /**
     * Per-channel mean SSIM and mean cs of planar float64 images {@code x, y} ({@code c} planes of
     * {@code h x w}, row-major).
     */
    static ChannelStats stats(double[] x, double[] y, int c, int h, int w, double dataRange) {
        if (h < WINDOW || w < WINDOW)
            throw new IllegalArgumentException("SSIM needs images of at least " + WINDOW + "x" + WINDOW + ", got " + h + "x" + w);
        if (!(dataRange > 0)) throw new IllegalArgumentException("data range must be > 0: " + dataRange);
        double c1 = (K1 * dataRange) * (K1 * dataRange);
        double c2 = (K2 * dataRange) * (K2 * dataRange);
        int oh = h - WINDOW + 1, ow = w - WINDOW + 1, plane = h * w;
        double[] ssim = new double[c], cs = new double[c];
        double[] px = new double[plane], py = new double[plane], pxx = new double[plane], pyy = new double[plane], pxy = new double[plane];
        double[] tmp = new double[h * ow];
        for (int ch = 0; ch < c; ch++) {
            int off = ch * plane;
            for (int i = 0; i < plane; i++) {
                double a = x[off + i], b = y[off + i];
                px[i] = a; py[i] = b; pxx[i] = a * a; pyy[i] = b * b; pxy[i] = a * b;
            }
            double[] ux = filter(px, h, w, tmp), uy = filter(py, h, w, tmp);
            double[] uxx = filter(pxx, h, w, tmp), uyy = filter(pyy, h, w, tmp), uxy = filter(pxy, h, w, tmp);
            double sSum = 0, csSum = 0;
            for (int i = 0; i < oh * ow; i++) {
                double mx = ux[i], my = uy[i];
                double vx = uxx[i] - mx * mx, vy = uyy[i] - my * my, vxy = uxy[i] - mx * my;
                double a1 = 2 * mx * my + c1, a2 = 2 * vxy + c2;
                double b1 = mx * mx + my * my + c1, b2 = vx + vy + c2;
                sSum += (a1 * a2) / (b1 * b2);
                csSum += a2 / b2;
            }
            ssim[ch] = sSum / (oh * ow);
            cs[ch] = csSum / (oh * ow);
        }
        return new ChannelStats(ssim, cs);
    }

    /** 'valid' separable Gaussian filtering of one plane: {@code h x w -> (h-10) x (w-10)}. */
    private static double[] filter(double[] p, int h, int w, double[] tmp) {
        int ow = w - WINDOW + 1, oh = h - WINDOW + 1;
        for (int r = 0; r < h; r++) {
            int row = r * w;
            for (int j = 0; j < ow; j++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) s += GAUSS[k] * p[row + j + k];
                tmp[r * ow + j] = s;
            }
        }
        double[] out = new double[oh * ow];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++) {
                double s = 0;
                for (int k = 0; k < WINDOW; k++) s += GAUSS[k] * tmp[(i + k) * ow + j];
                out[i * ow + j] = s;
            }
        return out;
    }
}
