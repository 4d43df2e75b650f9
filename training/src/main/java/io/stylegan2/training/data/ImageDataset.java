package io.stylegan2.training.data;

import io.stylegan2.core.io.Idx;
import io.stylegan2.core.io.Images;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The real images of a training run, decoded once and kept in memory as unsigned bytes
 * {@code [N, C, R, R]} at the model's resolution (N x C x R x R bytes: 60 000 Fashion-MNIST images at
 * 32 px in 3 channels take 184 MB). Sources: a folder of images (PNG, JPEG, anything ImageIO reads),
 * a zip of such images, or IDX files (MNIST / Fashion-MNIST). A file that does not decode is skipped
 * with a warning naming it; the run goes on.
 *
 * <p>How a source image becomes {@code R x R} ({@link Fit}): {@code RESIZE} centre-crops to a square
 * and area-resizes ({@link Images#centerCropResize}); {@code PAD} centres a smaller image on a black
 * ({@code -1}) canvas, as the Fashion-MNIST recipe pads 28 to 32 px (larger images are cropped to the
 * centre). Gray images become RGB by replication when the model has 3 channels.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the pixel array is not copied ({@link #ofPixels})
 * but never written after construction, so it is safe to share between threads as long as no thread
 * mutates it. {@link Fit} is immutable.
 */
public final class ImageDataset {
    private static final Logger log = LoggerFactory.getLogger(ImageDataset.class);

    /** How source images are brought to the model's resolution. */
    public enum Fit { RESIZE, PAD }

    private final byte[] pixels;
    private final int count, channels, resolution;
    private final List<String> skipped;
    private final String source;

    private ImageDataset(byte[] pixels, int count, int channels, int resolution, List<String> skipped, String source) {
        this.pixels = pixels;
        this.count = count;
        this.channels = channels;
        this.resolution = resolution;
        this.skipped = List.copyOf(skipped);
        this.source = source;
    }

    /**
     * A dataset over images already in memory: {@code pixels} holds {@code count} images of
     * {@code [channels, resolution, resolution]} unsigned bytes, row-major (not copied).
     */
    public static ImageDataset ofPixels(byte[] pixels, int count, int channels, int resolution, String source) {
        if (count < 1 || channels < 1 || resolution < 1) throw new IllegalArgumentException("in-memory dataset: count, channels and resolution must be >= 1");
        if ((long) count * channels * resolution * resolution != pixels.length)
            throw new IllegalArgumentException("in-memory dataset " + source + ": " + pixels.length + " bytes are not " + count + " images of "
                    + channels + "x" + resolution + "x" + resolution);
        return new ImageDataset(pixels, count, channels, resolution, List.of(), source);
    }

    /**
     * Loads a dataset: a folder, a {@code .zip}, or IDX data (an {@code *-idx3-ubyte[.gz]} file, or a
     * folder holding {@code train-images-idx3-ubyte[.gz]}).
     *
     * @param limit at most this many images (0 = all), taken in file order
     */
    public static ImageDataset load(Path path, int resolution, int channels, Fit fit, int limit) throws IOException {
        if (!Files.exists(path)) throw new IOException("training data: no such file or folder: " + path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.contains("idx3-ubyte")) return fromIdx(path, resolution, channels, fit, limit);
        if (Files.isDirectory(path)) {
            for (String f : new String[]{"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"})
                if (Files.isRegularFile(path.resolve(f))) return fromIdx(path.resolve(f), resolution, channels, fit, limit);
            return fromFolder(path, resolution, channels, fit, limit);
        }
        if (name.endsWith(".zip")) return fromZip(path, resolution, channels, fit, limit);
        throw new IOException("training data " + path + ": expected a folder of images, a .zip of images or an IDX file (*-idx3-ubyte[.gz])");
    }

    /** IDX images ({@code [N, H, W]} gray bytes). */
    static ImageDataset fromIdx(Path file, int resolution, int channels, Fit fit, int limit) throws IOException {
        Idx.UByteArray a = Idx.read(file);
        if (a.shape().length != 3) throw new IOException(file + ": IDX images must be [N, H, W], got " + java.util.Arrays.toString(a.shape()));
        int n = limit > 0 ? Math.min(limit, a.count()) : a.count(), h = a.shape()[1], w = a.shape()[2];
        Builder b = new Builder(n, channels, resolution, fit, file.toString());
        float[] img = new float[h * w];
        for (int i = 0; i < n; i++) {
            int off = i * h * w;
            for (int k = 0; k < h * w; k++) img[k] = Images.toFloat(a.get(off + k));
            b.add(org.nd4j.linalg.factory.Nd4j.create(img, new long[]{1, 1, h, w}), file + "[" + i + "]");
        }
        return b.build();
    }

    static ImageDataset fromFolder(Path dir, int resolution, int channels, Fit fit, int limit) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> isImageName(p.getFileName().toString())).sorted().toList();
        }
        if (files.isEmpty()) throw new IOException("training data " + dir + ": no image files (png, jpg, jpeg, bmp, gif)");
        if (limit > 0 && files.size() > limit) files = files.subList(0, limit);
        Builder b = new Builder(files.size(), channels, resolution, fit, dir.toString());
        for (Path f : files) {
            try {
                b.add(Images.read(f, channels), f.toString());
            } catch (IOException | RuntimeException e) {
                b.skip(f.toString(), e);
            }
        }
        return b.build();
    }

    static ImageDataset fromZip(Path zip, int resolution, int channels, Fit fit, int limit) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            List<ZipEntry> entries = z.stream().map(e -> (ZipEntry) e).filter(e -> !e.isDirectory() && isImageName(e.getName()))
                    .sorted(java.util.Comparator.comparing(ZipEntry::getName)).toList();
            if (entries.isEmpty()) throw new IOException("training data " + zip + ": no image entries");
            if (limit > 0 && entries.size() > limit) entries = entries.subList(0, limit);
            Builder b = new Builder(entries.size(), channels, resolution, fit, zip.toString());
            for (ZipEntry e : entries) {
                String label = zip + "!" + e.getName();
                try (InputStream in = z.getInputStream(e)) {
                    BufferedImage img = ImageIO.read(new ByteArrayInputStream(in.readNBytes((int) Math.min(e.getSize() < 0 ? 64 << 20 : e.getSize(), 64 << 20))));
                    if (img == null) throw new IOException("not a readable image");
                    b.add(Images.fromBufferedImage(img, channels), label);
                } catch (IOException | RuntimeException ex) {
                    b.skip(label, ex);
                }
            }
            return b.build();
        }
    }

    private static boolean isImageName(String n) {
        String s = n.toLowerCase(Locale.ROOT);
        return s.endsWith(".png") || s.endsWith(".jpg") || s.endsWith(".jpeg") || s.endsWith(".bmp") || s.endsWith(".gif");
    }

    /** Collects images at the target size. */
    private static final class Builder {
        private final byte[] pixels;
        private final int channels, resolution;
        private final Fit fit;
        private final String source;
        private final List<String> skipped = new ArrayList<>();
        private int count;

        Builder(int capacity, int channels, int resolution, Fit fit, String source) {
            long bytes = (long) capacity * channels * resolution * resolution;
            if (bytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("training data " + source + ": " + capacity + " images of "
                    + channels + "x" + resolution + "x" + resolution + " do not fit in memory as one array (" + bytes + " bytes); use --limit");
            this.pixels = new byte[(int) bytes];
            this.channels = channels;
            this.resolution = resolution;
            this.fit = fit;
            this.source = source;
        }

        /** {@code img} in [-1, 1], {@code [1, c, h, w]} or {@code [c, h, w]} with c = 1 or the dataset's channels. */
        void add(INDArray img, String label) {
            INDArray x = img.rank() == 3 ? img.reshape(1, img.size(0), img.size(1), img.size(2)) : img;
            if (x.size(1) != 1 && x.size(1) != channels)
                throw new IllegalArgumentException(label + ": " + x.size(1) + " channels, the model has " + channels);
            x = fit == Fit.PAD ? pad(x) : Images.centerCropResize(x, resolution);
            int plane = resolution * resolution, off = count * channels * plane;
            float[] v = x.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
            int srcC = (int) x.size(1);
            for (int c = 0; c < channels; c++) {
                int src = (srcC == 1 ? 0 : c) * plane;
                for (int k = 0; k < plane; k++) pixels[off + c * plane + k] = (byte) Images.toByte(v[src + k]);
            }
            count++;
        }

        /** Centres {@code x} on a black {@code R x R} canvas (cropping the centre of a larger image). */
        private INDArray pad(INDArray x) {
            long c = x.size(1), h = x.size(2), w = x.size(3);
            INDArray out = org.nd4j.linalg.factory.Nd4j.valueArrayOf(new long[]{1, c, resolution, resolution}, -1f);
            long ch = Math.min(h, resolution), cw = Math.min(w, resolution);
            long dy = (resolution - ch) / 2, dx = (resolution - cw) / 2, sy = (h - ch) / 2, sx = (w - cw) / 2;
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(dy, dy + ch), org.nd4j.linalg.indexing.NDArrayIndex.interval(dx, dx + cw))
                    .assign(x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(sy, sy + ch), org.nd4j.linalg.indexing.NDArrayIndex.interval(sx, sx + cw)));
            return out;
        }

        void skip(String label, Exception e) {
            log.warn("training data: skipping {}: {}", label, e.getMessage() == null ? e.toString() : e.getMessage());
            skipped.add(label);
        }

        ImageDataset build() throws IOException {
            if (count == 0) throw new IOException("training data " + source + ": no image could be read (" + skipped.size() + " skipped)");
            log.info("training data {}: {} images of {}x{}x{}{}", source, count, channels, resolution, resolution,
                    skipped.isEmpty() ? "" : ", " + skipped.size() + " skipped");
            return new ImageDataset(pixels, count, channels, resolution, skipped, source);
        }
    }

    public int size() {
        return count;
    }

    public int channels() {
        return channels;
    }

    public int resolution() {
        return resolution;
    }

    /** Files (or entries) that could not be read. */
    public List<String> skipped() {
        return skipped;
    }

    public String source() {
        return source;
    }

    /**
     * Image {@code index} into {@code out} at {@code offset} as floats in [-1, 1] ({@code x / 127.5 - 1}),
     * mirrored left-right when {@code flip}.
     */
    public void copyTo(int index, boolean flip, float[] out, int offset) {
        if (index < 0 || index >= count) throw new IndexOutOfBoundsException("image " + index + " of " + count);
        int r = resolution, n = channels * r * r, base = index * n;
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < r; y++) {
                int row = base + (c * r + y) * r, dst = offset + (c * r + y) * r;
                for (int x = 0; x < r; x++) out[dst + x] = Images.toFloat(pixels[row + (flip ? r - 1 - x : x)] & 0xff);
            }
    }
}
