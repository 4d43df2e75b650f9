package io.stylegan2.metrics;

import io.stylegan2.losses.PerceptualLoss;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Full-reference metrics of one image pair.
 *
 * <p><b>Thread safety:</b> Immutable, as is {@link Summary}; {@link #compute} is stateless and as
 * thread-safe as its perceptual distance (those in this library are).
 *
 * @param name       an identifier of the pair (file name, index)
 * @param convention the convention the values were computed in: {@code mse} is in its units,
 *                   {@code psnr} uses its data range, {@code ssim} was computed on images in it
 * @param mse        mean squared error in {@code convention}'s units
 * @param psnr       dB, +Infinity for identical images
 * @param ssim       SSIM ({@link Ssim}: 11x11 Gaussian, sigma 1.5, 'valid'), mean over channels
 * @param perceptualName the {@link PerceptualLoss#name()} or empty when none was given
 * @param perceptual the perceptual distance (e.g. LPIPS, on the [-1,1] images), empty when none
 */
public record ImageMetrics(String name, PixelRange convention, double mse, double psnr, double ssim,
                           String perceptualName, OptionalDouble perceptual) {

    /** Means over a batch (PSNR: mean of per-pair values; infinite if any pair is identical). */
    public record Summary(PixelRange convention, int count, double mse, double psnr, double ssim,
                          String perceptualName, OptionalDouble perceptual) {}

    /**
     * Metrics of corresponding images of two batches in [-1, 1] (the library's convention), computed
     * in {@code convention} (the images are mapped to it first; {@link PixelRange#BYTE} gives the
     * numbers usually reported). {@code perceptual} may be null; it always sees the [-1, 1] images.
     *
     * @param a     {@code [N,C,H,W]} in [-1, 1]
     * @param b     {@code [N,C,H,W]} in [-1, 1]
     * @param names one name per pair, or null for "0", "1", ...
     */
    public static List<ImageMetrics> compute(INDArray a, INDArray b, List<String> names, PixelRange convention,
                                             PerceptualLoss perceptual) {
        Pixels.requireSameShape(a, b);
        INDArray x = Pixels.asBatch(a), y = Pixels.asBatch(b);
        int n = (int) x.size(0);
        if (names != null && names.size() != n) throw new IllegalArgumentException(names.size() + " names for " + n + " pairs");
        INDArray xc = PixelRange.SIGNED_UNIT.convert(x, convention), yc = PixelRange.SIGNED_UNIT.convert(y, convention);
        double[] mse = Mse.perImage(xc, yc);
        double[] ssim = Ssim.perImage(xc, yc, convention.dataRange());
        double[] p = null;
        if (perceptual != null) {
            INDArray d = perceptual.distance(x, y);
            if (d.length() != n) throw new IllegalStateException(perceptual.name() + " returned " + d.length() + " values for " + n + " pairs");
            p = Pixels.doubles(d);
        }
        List<ImageMetrics> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            out.add(new ImageMetrics(names == null ? Integer.toString(i) : names.get(i), convention, mse[i],
                    Psnr.fromMse(mse[i], convention.dataRange()), ssim[i],
                    perceptual == null ? "" : perceptual.name(), p == null ? OptionalDouble.empty() : OptionalDouble.of(p[i])));
        return out;
    }

    /** Means of a list of per-pair metrics (all in the same convention). */
    public static Summary summarize(List<ImageMetrics> list) {
        if (list.isEmpty()) throw new IllegalArgumentException("no pairs");
        PixelRange c = list.get(0).convention();
        double mse = 0, psnr = 0, ssim = 0, p = 0;
        boolean hasP = true;
        for (ImageMetrics m : list) {
            if (m.convention() != c) throw new IllegalArgumentException("mixed conventions");
            mse += m.mse(); psnr += m.psnr(); ssim += m.ssim();
            if (m.perceptual().isPresent()) p += m.perceptual().getAsDouble(); else hasP = false;
        }
        int n = list.size();
        return new Summary(c, n, mse / n, psnr / n, ssim / n, list.get(0).perceptualName(),
                hasP ? OptionalDouble.of(p / n) : OptionalDouble.empty());
    }
}
