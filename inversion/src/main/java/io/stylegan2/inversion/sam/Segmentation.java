package io.stylegan2.inversion.sam;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A partition of an image into segments: a label {@code 0 .. count-1} per pixel, row-major.
 * Labels are compact (every label has a pixel) and numbered in order of first appearance.
 *
 * <p><b>Thread safety:</b> Immutable (the label array is copied in and out); safe to share.
 */
public final class Segmentation {
    private final int height, width, count;
    private final int[] labels;

    private Segmentation(int height, int width, int[] labels, int count) {
        this.height = height;
        this.width = width;
        this.labels = labels;
        this.count = count;
    }

    /** From any integer labels (row-major, {@code height * width}); relabelled compactly. */
    public static Segmentation of(int height, int width, int[] raw) {
        if (height < 1 || width < 1) throw new IllegalArgumentException("segmentation: size " + height + "x" + width);
        if (raw.length != (long) height * width)
            throw new IllegalArgumentException("segmentation: " + raw.length + " labels for a " + height + "x" + width + " image");
        Map<Integer, Integer> ids = new HashMap<>();
        int[] out = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            Integer id = ids.get(raw[i]);
            if (id == null) {
                id = ids.size();
                ids.put(raw[i], id);
            }
            out[i] = id;
        }
        return new Segmentation(height, width, out, ids.size());
    }

    /** One segment covering the whole image. */
    public static Segmentation whole(int height, int width) {
        return of(height, width, new int[height * width]);
    }

    /**
     * A label image: every distinct colour (RGB, alpha ignored) or grey level is one segment. If
     * its size differs from {@code height x width} it is resized by nearest neighbour (labels must
     * not be interpolated).
     */
    public static Segmentation fromLabelImage(BufferedImage img, int height, int width) {
        int[] raw = new int[height * width];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) {
                int sx = (int) Math.min(img.getWidth() - 1, (long) x * img.getWidth() / width);
                int sy = (int) Math.min(img.getHeight() - 1, (long) y * img.getHeight() / height);
                raw[y * width + x] = img.getRGB(sx, sy) & 0xFFFFFF;
            }
        return of(height, width, raw);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Number of segments. */
    public int count() {
        return count;
    }

    /** The label of pixel {@code (y, x)}. */
    public int label(int y, int x) {
        return labels[y * width + x];
    }

    /** A copy of the labels, row-major. */
    public int[] labels() {
        return labels.clone();
    }

    /** Pixels per segment. */
    public int[] sizes() {
        int[] s = new int[count];
        for (int l : labels) s[l]++;
        return s;
    }

    /** The mean of a map ({@code height * width} values, row-major) over each segment. */
    public double[] segmentMeans(float[] map) {
        if (map.length != labels.length) throw new IllegalArgumentException("segment means: map of " + map.length + " values for " + labels.length + " pixels");
        double[] sum = new double[count];
        int[] n = sizes();
        for (int i = 0; i < labels.length; i++) sum[labels[i]] += map[i];
        for (int k = 0; k < count; k++) sum[k] /= n[k];
        return sum;
    }

    /** The labels as an image {@code [1, 1, H, W]} float32 (for saving with a result). */
    public INDArray toArray() {
        float[] f = new float[labels.length];
        for (int i = 0; i < f.length; i++) f[i] = labels[i];
        return Nd4j.create(f, new long[]{1, 1, height, width}, 'c').castTo(DataType.FLOAT);
    }

    /** The segmentation saved by {@link #toArray()}. */
    public static Segmentation fromArray(INDArray a) {
        if (a.rank() != 4 || a.size(0) != 1 || a.size(1) != 1) throw new IllegalArgumentException("segmentation array: expected [1, 1, H, W], got " + Arrays.toString(a.shape()));
        int h = (int) a.size(2), w = (int) a.size(3);
        float[] f = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int[] raw = new int[f.length];
        for (int i = 0; i < f.length; i++) raw[i] = Math.round(f[i]);
        return of(h, w, raw);
    }

    /** A colour picture of the segments (one distinct hue per label), for figures. */
    public BufferedImage toColourImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) img.setRGB(x, y, colour(label(y, x)));
        return img;
    }

    /** A distinct colour per index (golden-ratio hues). */
    static int colour(int k) {
        float hue = (float) ((k * 0.618033988749895) % 1.0);
        return java.awt.Color.HSBtoRGB(hue, 0.65f, 0.95f) & 0xFFFFFF;
    }

    @Override
    public String toString() {
        return "Segmentation[" + height + "x" + width + ", " + count + " segments]";
    }
}
