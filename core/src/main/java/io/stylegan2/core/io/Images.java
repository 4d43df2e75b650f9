package io.stylegan2.core.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Image I/O between files (PNG, JPEG, anything ImageIO reads) and float tensors in the NVlabs
 * convention: pixel {@code p} in {@code [0, 255]} is {@code p / 127.5 - 1} in {@code [-1, 1]}, and
 * a tensor value {@code x} is written as {@code uint8(clamp(x * 127.5 + 128, 0, 255))} (the
 * truncation of {@code torch.Tensor.to(torch.uint8)}, i.e. floor of the clamped value), so that
 * read-then-write is the identity.
 *
 * <p>Channels: 3 for RGB, 1 for gray. RGB to gray uses the ITU-R 601 luma of PIL's
 * {@code convert('L')}, {@code (299 R + 587 G + 114 B) / 1000} rounded; gray to RGB replicates.
 * Alpha is dropped. Files are written atomically (temp file in the target folder, then an atomic
 * rename).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each call uses
 * its own ImageIO reader or writer), given arrays no thread mutates meanwhile.
 */
public final class Images {
    private static final Logger log = LoggerFactory.getLogger(Images.class);

    private Images() {}

    // ------------------------------------------------------------------------------------ read

    /**
     * Reads an image file.
     *
     * @param file     PNG, JPEG or another ImageIO format
     * @param channels 3 (RGB) or 1 (gray); the image is converted as needed
     * @return {@code [1, C, H, W]} float32 in {@code [-1, 1]}
     * @throws IOException naming the file if it cannot be read or decoded
     */
    public static INDArray read(Path file, int channels) throws IOException {
        checkChannels(channels);
        return fromBufferedImage(decode(file), channels);
    }

    /** System property of the largest image (width x height) {@link #read} decodes. */
    public static final String MAX_PIXELS_PROPERTY = "stylegan2.images.max-pixels";
    /** Default of {@link #MAX_PIXELS_PROPERTY}: 64 megapixels (8192 x 8192). */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    /** The pixel limit: {@link #MAX_PIXELS_PROPERTY} when set, else {@link #DEFAULT_MAX_PIXELS}. */
    public static long maxPixels() {
        return io.stylegan2.core.Limits.property(MAX_PIXELS_PROPERTY, DEFAULT_MAX_PIXELS, 1);
    }

    /**
     * Decodes an image file with its size checked from the header first (a small file can declare a
     * huge image), refusing what ImageIO would decode wrongly or partly: CMYK/YCCK JPEGs, and files the
     * decoder reports as truncated or corrupt (ImageIO's JPEG reader otherwise returns the rows it got
     * and leaves the rest grey).
     */
    public static BufferedImage decode(Path file) throws IOException {
        try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IOException("cannot read image " + file + ": cannot open it");
            java.util.Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException("cannot read image " + file + ": unsupported or corrupt image format");
            javax.imageio.ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                int w = r.getWidth(0), h = r.getHeight(0);
                long max = maxPixels();
                if (w < 1 || h < 1 || (long) w * h > max)
                    throw new IOException("image " + file + " declares " + w + "x" + h + " pixels, more than the limit of " + max
                            + " (raise it with -D" + MAX_PIXELS_PROPERTY + "=N)");
                if (r.getFormatName().toLowerCase(java.util.Locale.ROOT).contains("jp")) {
                    javax.imageio.ImageTypeSpecifier raw = r.getRawImageType(0);
                    if (raw == null || raw.getNumComponents() == 4)
                        throw new IOException("image " + file + ": CMYK or YCCK JPEG is not supported (Java's decoder gets its colours wrong); convert it to RGB");
                }
                java.util.List<String> warnings = new java.util.ArrayList<>();
                r.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = r.read(0);
                if (!warnings.isEmpty()) throw new IOException("image " + file + " is truncated or corrupt: " + warnings.get(0));
                return img;
            } catch (javax.imageio.IIOException e) {
                throw new IOException("cannot read image " + file + ": truncated or corrupt (" + e.getMessage() + ")", e);
            } finally {
                r.dispose();
            }
        }
    }

    /** {@code [1, C, H, W]} float32 in {@code [-1, 1]} from a decoded image; see {@link #read}. */
    public static INDArray fromBufferedImage(BufferedImage img, int channels) {
        checkChannels(channels);
        int w = img.getWidth(), h = img.getHeight();
        int[][] bytes = toBytes(img); // [3 or 1][h*w]
        int plane = h * w;
        float[] buf = new float[channels * plane];
        if (channels == bytes.length) {
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < plane; i++) buf[c * plane + i] = toFloat(bytes[c][i]);
        } else if (channels == 1) { // RGB -> gray
            for (int i = 0; i < plane; i++) buf[i] = toFloat(luma(bytes[0][i], bytes[1][i], bytes[2][i]));
        } else { // gray -> RGB
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < plane; i++) buf[c * plane + i] = toFloat(bytes[0][i]);
        }
        return Nd4j.create(buf, new long[]{1, channels, h, w}, DataType.FLOAT);
    }

    /** PIL {@code convert('L')}: {@code (R*299 + G*587 + B*114) / 1000}, rounded half up. */
    static int luma(int r, int g, int b) {
        return (r * 299 + g * 587 + b * 114 + 500) / 1000;
    }

    /** Pixel byte to {@code [-1, 1]}: {@code p / 127.5 - 1}. */
    public static float toFloat(int p) {
        return p / 127.5f - 1f;
    }

    /** Tensor value to pixel byte: {@code uint8(clamp(x * 127.5 + 128, 0, 255))}; NaN maps to 0. */
    public static int toByte(float x) {
        float v = x * 127.5f + 128f;
        if (!(v > 0f)) return 0; // also NaN
        if (v >= 255f) return 255;
        return (int) v; // truncation == floor for v > 0
    }

    /**
     * 8-bit planes of an image: 1 plane for gray (read from the raster, so no colour-space
     * conversion touches the values), else 3 planes R, G, B.
     */
    private static int[][] toBytes(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        Raster r = img.getRaster();
        boolean gray = img.getColorModel() instanceof ComponentColorModel
                && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        if (gray) {
            int bits = img.getColorModel().getComponentSize(0);
            int max = (1 << bits) - 1;
            int[] p = new int[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int s = r.getSample(x, y, 0);
                    p[y * w + x] = bits == 8 ? s : (int) Math.round(s * 255.0 / max);
                }
            return new int[][]{p};
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        int[][] p = new int[3][w * h];
        for (int i = 0; i < argb.length; i++) {
            p[0][i] = (argb[i] >> 16) & 0xFF;
            p[1][i] = (argb[i] >> 8) & 0xFF;
            p[2][i] = argb[i] & 0xFF;
        }
        return p;
    }

    // ----------------------------------------------------------------------------------- write

    /**
     * Converts one image to a {@link BufferedImage} ({@code TYPE_3BYTE_BGR} or {@code TYPE_BYTE_GRAY}).
     *
     * @param image {@code [C, H, W]} or {@code [1, C, H, W]}, C = 1 or 3, NVlabs range {@code [-1, 1]}
     */
    public static BufferedImage toBufferedImage(INDArray image) {
        INDArray chw = image.rank() == 4 && image.size(0) == 1 ? image.reshape(image.size(1), image.size(2), image.size(3)) : image;
        if (chw.rank() != 3) throw new IllegalArgumentException("expected an image [C, H, W] or [1, C, H, W], got shape " + Arrays.toString(image.shape()));
        int c = (int) chw.size(0), h = (int) chw.size(1), w = (int) chw.size(2);
        if (c != 1 && c != 3) throw new IllegalArgumentException("expected 1 or 3 channels, got shape " + Arrays.toString(image.shape()));
        float[] v = chw.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int plane = h * w;
        BufferedImage out = new BufferedImage(w, h, c == 3 ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = out.getRaster();
        int[] px = new int[c];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) px[k] = toByte(v[k * plane + y * w + x]);
                r.setPixel(x, y, px);
            }
        return out;
    }

    /**
     * Writes an image as PNG, atomically. A batch {@code [N, C, H, W]} with {@code N > 1} is written
     * as a grid of {@link #defaultGridColumns} columns ({@link #grid}).
     *
     * @param image {@code [C, H, W]} or {@code [N, C, H, W]} in {@code [-1, 1]}
     */
    public static void writePng(INDArray image, Path file) throws IOException {
        INDArray one = image.rank() == 4 && image.size(0) > 1 ? grid(image, defaultGridColumns(image.size(0))) : image;
        writeAtomically(toBufferedImage(one), "png", file);
    }

    /**
     * Writes a batch as a grid PNG with no padding, atomically.
     *
     * @param batch {@code [N, C, H, W]} in {@code [-1, 1]}
     * @param cols  images per row ({@code >= 1})
     */
    public static void writeGridPng(INDArray batch, int cols, Path file) throws IOException {
        writePng(grid(batch, cols), file);
    }

    /** {@link #writeGridPng(INDArray, int, Path)} with {@code gutter} white pixels between cells ({@link #grid(INDArray, int, int)}). */
    public static void writeGridPng(INDArray batch, int cols, int gutter, Path file) throws IOException {
        writePng(grid(batch, cols, gutter), file);
    }

    /**
     * Tiles a batch row-major into one image with no padding (NVlabs {@code save_image_grid});
     * cells past the last image are filled with {@code -1} (black).
     *
     * @param batch {@code [N, C, H, W]}
     * @param cols  images per row, {@code >= 1}; rows = {@code ceil(N / cols)}
     * @return {@code [C, rows * H, cols * W]}, same data type as {@code batch}
     */
    public static INDArray grid(INDArray batch, int cols) {
        return grid(batch, cols, 0);
    }

    /**
     * As {@link #grid(INDArray, int)} with {@code gutter} white ({@code 1}) pixels between cells
     * (none around the grid), so the tiles of black-background images stay apart.
     *
     * @return {@code [C, rows * H + (rows - 1) * gutter, cols * W + (cols - 1) * gutter]}
     */
    public static INDArray grid(INDArray batch, int cols, int gutter) {
        if (gutter < 0) throw new IllegalArgumentException("grid gutter must be >= 0, got " + gutter);
        if (batch.rank() != 4) throw new IllegalArgumentException("grid expects a batch [N, C, H, W], got shape " + Arrays.toString(batch.shape()));
        if (cols < 1) throw new IllegalArgumentException("grid columns must be >= 1, got " + cols);
        long n = batch.size(0), c = batch.size(1), h = batch.size(2), w = batch.size(3);
        if (n == 0) throw new IllegalArgumentException("grid of an empty batch");
        int cc = (int) Math.min(cols, n);
        long rows = (n + cc - 1) / cc;
        INDArray out = Nd4j.valueArrayOf(new long[]{c, rows * h + (rows - 1) * gutter, cc * w + (cc - 1) * gutter}, gutter > 0 ? 1.0 : -1.0, batch.dataType());
        if (gutter > 0)       // empty cells stay black, as without gutters
            for (long i = n; i < rows * cc; i++) {
                long r = i / cc, k = i % cc, y = r * (h + gutter), x = k * (w + gutter);
                out.get(NDArrayIndex.all(), NDArrayIndex.interval(y, y + h), NDArrayIndex.interval(x, x + w)).assign(-1.0);
            }
        for (long i = 0; i < n; i++) {
            long r = i / cc, k = i % cc, y = r * (h + gutter), x = k * (w + gutter);
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(y, y + h), NDArrayIndex.interval(x, x + w))
                    .assign(batch.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        return out;
    }

    /** Grid columns NVlabs-style for {@code n} images: {@code ceil(sqrt(n))}. */
    public static int defaultGridColumns(long n) {
        return (int) Math.max(1, Math.ceil(Math.sqrt(n)));
    }

    /**
     * Writes {@code img} with ImageIO to a temp file in {@code file}'s folder, then renames it over
     * {@code file} atomically; the temp file is deleted on failure.
     */
    public static void writeAtomically(BufferedImage img, String format, Path file) throws IOException {
        try {
            AtomicFiles.write(file, out -> {
                if (!ImageIO.write(img, format, out))
                    throw new IOException("no ImageIO writer for format '" + format + "' (writing " + file + ")");
            });
            log.debug("wrote {}", file);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains(file.toString())) throw e;
            throw new IOException("cannot write image " + file + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------- resize

    /**
     * Centre-crops to a square (side {@code min(H, W)}) and resizes to {@code resolution} by area
     * (box) averaging: each output pixel is the mean of the source area it covers, with fractional
     * source pixels weighted by overlap (like OpenCV {@code INTER_AREA} when shrinking). When
     * enlarging this degenerates to nearest-neighbour-like piecewise constant sampling.
     *
     * @param image      {@code [1, C, H, W]} or {@code [C, H, W]}
     * @param resolution output side, {@code >= 1}
     * @return {@code [1, C, resolution, resolution]} float32
     */
    public static INDArray centerCropResize(INDArray image, int resolution) {
        if (resolution < 1) throw new IllegalArgumentException("resolution must be >= 1, got " + resolution);
        INDArray chw = image.rank() == 4 && image.size(0) == 1 ? image.reshape(image.size(1), image.size(2), image.size(3)) : image;
        if (chw.rank() != 3) throw new IllegalArgumentException("expected an image [1, C, H, W] or [C, H, W], got shape " + Arrays.toString(image.shape()));
        int c = (int) chw.size(0), h = (int) chw.size(1), w = (int) chw.size(2);
        int s = Math.min(h, w);
        int y0 = (h - s) / 2, x0 = (w - s) / 2;
        double[] v = chw.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] wts = new double[resolution][];
        int[] first = new int[resolution];
        areaWeights(s, resolution, wts, first);
        float[] out = new float[c * resolution * resolution];
        double[] rowTmp = new double[resolution * s]; // [outY][srcX] after vertical pass
        for (int k = 0; k < c; k++) {
            int base = k * h * w;
            Arrays.fill(rowTmp, 0);
            for (int oy = 0; oy < resolution; oy++)
                for (int j = 0; j < wts[oy].length; j++) {
                    int sy = y0 + first[oy] + j;
                    double wt = wts[oy][j];
                    for (int sx = 0; sx < s; sx++) rowTmp[oy * s + sx] += wt * v[base + sy * w + x0 + sx];
                }
            for (int oy = 0; oy < resolution; oy++)
                for (int ox = 0; ox < resolution; ox++) {
                    double acc = 0;
                    for (int j = 0; j < wts[ox].length; j++) acc += wts[ox][j] * rowTmp[oy * s + first[ox] + j];
                    out[(k * resolution + oy) * resolution + ox] = (float) acc;
                }
        }
        return Nd4j.create(out, new long[]{1, c, resolution, resolution}, DataType.FLOAT);
    }

    /** 1-D area weights from {@code src} pixels to {@code dst} pixels; each row sums to 1. */
    static void areaWeights(int src, int dst, double[][] wts, int[] first) {
        double scale = (double) src / dst;
        for (int o = 0; o < dst; o++) {
            double a = o * scale, b = (o + 1) * scale;
            int i0 = (int) Math.floor(a);
            int i1 = Math.min(src, (int) Math.ceil(b - 1e-12));
            if (i1 <= i0) i1 = i0 + 1;
            double[] wt = new double[i1 - i0];
            double sum = 0;
            for (int i = i0; i < i1; i++) {
                double ov = Math.min(b, i + 1) - Math.max(a, i);
                wt[i - i0] = Math.max(0, ov);
                sum += wt[i - i0];
            }
            for (int j = 0; j < wt.length; j++) wt[j] /= sum;
            wts[o] = wt;
            first[o] = i0;
        }
    }

    private static void checkChannels(int channels) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("channels must be 1 (gray) or 3 (RGB), got " + channels);
    }
}
