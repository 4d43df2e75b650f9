package io.stylegan2.inversion.sam;

import boofcv.abst.segmentation.ImageSuperpixels;
import boofcv.factory.segmentation.ConfigFh04;
import boofcv.factory.segmentation.ConfigSlic;
import boofcv.factory.segmentation.FactoryImageSegmentation;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.ImageBase;
import boofcv.struct.image.ImageType;
import boofcv.struct.image.Planar;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Locale;

/**
 * SAM's unsupervised default segmenter: superpixels from BoofCV (a maintained JVM computer-vision
 * library), on the image scaled to {@code [0, 255]}.
 * <ul>
 *   <li>{@link Algorithm#SLIC} (Achanta et al. 2012): about {@code regions} compact superpixels;
 *       {@code weight} is BoofCV's spatial weight (its default 200: larger is more compact,
 *       smaller follows intensity edges more closely), 10 iterations, 8-connectivity.</li>
 *   <li>{@link Algorithm#FH04} (Felzenszwalb and Huttenlocher 2004): graph-based merging with
 *       threshold {@code K = weight} (larger gives larger segments) and segments of at least
 *       {@code minSize} pixels.</li>
 * </ul>
 * Grey images are segmented as one plane, colour images as three planes.
 *
 * <p><b>Thread safety:</b> Immutable; each call builds its own BoofCV segmenter, so it is safe to
 * call from several threads.
 *
 * @param algorithm SLIC or FH04
 * @param regions   SLIC: the number of superpixels asked for (BoofCV may return a few more or fewer)
 * @param weight    SLIC: spatial weight; FH04: the threshold K
 * @param minSize   FH04: the smallest segment, in pixels (ignored by SLIC)
 */
public record SuperpixelSegmenter(Algorithm algorithm, int regions, double weight, int minSize) implements Segmenter {
    /** The superpixel algorithms. */
    public enum Algorithm { SLIC, FH04 }

    /** SLIC default: 16 regions, BoofCV's spatial weight 200. */
    public static final int DEFAULT_REGIONS = 16;
    public static final double DEFAULT_SLIC_WEIGHT = 200, DEFAULT_FH04_K = 300;
    public static final int DEFAULT_MIN_SIZE = 20;

    public SuperpixelSegmenter {
        if (algorithm == null) throw new IllegalArgumentException("superpixels: no algorithm");
        if (regions < 1) throw new IllegalArgumentException("superpixels: regions must be >= 1, got " + regions);
        if (!(weight > 0) || !Double.isFinite(weight)) throw new IllegalArgumentException("superpixels: weight must be > 0, got " + weight);
        if (minSize < 1) throw new IllegalArgumentException("superpixels: min size must be >= 1, got " + minSize);
    }

    /** SLIC with {@code regions} superpixels and the default spatial weight. */
    public static SuperpixelSegmenter slic(int regions) {
        return new SuperpixelSegmenter(Algorithm.SLIC, regions, DEFAULT_SLIC_WEIGHT, DEFAULT_MIN_SIZE);
    }

    /** Felzenszwalb-Huttenlocher with threshold {@code k} and minimum segment size. */
    public static SuperpixelSegmenter fh04(double k, int minSize) {
        return new SuperpixelSegmenter(Algorithm.FH04, DEFAULT_REGIONS, k, minSize);
    }

    @Override
    public Segmentation segment(String name, INDArray image) {
        if (image.rank() != 4 || image.size(0) != 1) throw new IllegalArgumentException("segmenter: expected one image [1, C, H, W], got " + java.util.Arrays.toString(image.shape()));
        int c = (int) image.size(1), h = (int) image.size(2), w = (int) image.size(3);
        float[] px = image.castTo(DataType.FLOAT).dup('c').data().asFloat();
        GrayS32 out = new GrayS32(w, h);
        if (c == 1) run(ImageType.single(GrayF32.class), plane(px, 0, h, w), out);
        else {
            Planar<GrayF32> p = new Planar<>(GrayF32.class, w, h, c);
            for (int k = 0; k < c; k++) p.setBand(k, plane(px, k, h, w));
            run(ImageType.pl(c, GrayF32.class), p, out);
        }
        return Segmentation.of(h, w, java.util.Arrays.copyOf(out.data, h * w));   // our own w x h image: stride w, start 0
    }

    private <T extends ImageBase<T>> void run(ImageType<T> type, T input, GrayS32 out) {
        ImageSuperpixels<T> s = algorithm == Algorithm.SLIC
                ? FactoryImageSegmentation.slic(new ConfigSlic(regions, (float) weight), type)
                : FactoryImageSegmentation.fh04(new ConfigFh04((float) weight, minSize), type);
        s.segment(input, out);
    }

    private static GrayF32 plane(float[] px, int k, int h, int w) {
        GrayF32 g = new GrayF32(w, h);
        for (int i = 0; i < h * w; i++) g.data[i] = (px[k * h * w + i] + 1f) * 127.5f;
        return g;
    }

    @Override
    public String describe() {
        return algorithm == Algorithm.SLIC
                ? String.format(Locale.ROOT, "BoofCV SLIC superpixels (regions %d, spatial weight %.4g)", regions, weight)
                : String.format(Locale.ROOT, "BoofCV Felzenszwalb-Huttenlocher superpixels (K %.4g, min size %d)", weight, minSize);
    }
}
