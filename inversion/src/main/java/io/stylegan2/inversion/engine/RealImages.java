package io.stylegan2.inversion.engine;

import io.stylegan2.core.io.Idx;
import io.stylegan2.core.io.Images;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Real training images as a model takes them: a folder of PNG/JPEG files (sorted by name; other
 * sizes centre-cropped and resized) or an IDX image file such as Fashion-MNIST's
 * {@code train-images-idx3-ubyte(.gz)} (grey bytes centred on a black ({@code -1}) canvas of the
 * model's size, as the Fashion-MNIST recipe pads 28 to 32 px; larger images centre-cropped and
 * resized), replicated to the model's channels. Images are {@code [1, C, R, R]} in {@code [-1, 1]}.
 *
 * <p><b>Thread safety:</b> Immutable after opening; {@link #get} reads files or the loaded IDX
 * array and is safe to call from several threads.
 */
public final class RealImages {
    private final Path source;
    private final int channels, resolution;
    private final Idx.UByteArray idx;
    private final List<Path> files;

    private RealImages(Path source, int channels, int resolution, Idx.UByteArray idx, List<Path> files) {
        this.source = source;
        this.channels = channels;
        this.resolution = resolution;
        this.idx = idx;
        this.files = files;
    }

    /** Opens a folder or an IDX file ({@code idx3-ubyte} in its name); errors name the path. */
    public static RealImages open(Path source, int channels, int resolution) throws IOException {
        if (Files.isRegularFile(source) && source.getFileName().toString().contains("idx3-ubyte")) {
            Idx.UByteArray a = Idx.read(source);
            if (a.shape().length != 3 || a.count() < 1) throw new IOException("real images " + source + ": IDX images must be [N, H, W], got " + java.util.Arrays.toString(a.shape()));
            return new RealImages(source, channels, resolution, a, null);
        }
        return new RealImages(source, channels, resolution, null, listImages(source));
    }

    /** PNG/JPEG files of a folder, sorted by name. */
    public static List<Path> listImages(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("real images: not a folder or an IDX file (*idx3-ubyte*): " + dir);
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
            }).sorted().toList();
            if (files.isEmpty()) throw new IOException("real images: no PNG/JPEG files in " + dir);
            return files;
        }
    }

    public Path source() {
        return source;
    }

    /** Number of images. */
    public int count() {
        return idx != null ? idx.count() : files.size();
    }

    /** Image {@code k} {@code [1, C, R, R]}. */
    public INDArray get(int k) {
        if (k < 0 || k >= count()) throw new IndexOutOfBoundsException("real images " + source + ": image " + k + " of " + count());
        if (idx != null) return idxImage(k);
        try {
            INDArray img = Images.read(files.get(k), channels);
            if (img.rank() == 4) img = img.reshape(img.size(1), img.size(2), img.size(3));
            if (img.size(1) != resolution || img.size(2) != resolution) img = Images.centerCropResize(img, resolution);
            return img.castTo(DataType.FLOAT).reshape(1, channels, resolution, resolution);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Images {@code from .. from+n-1} as {@code [n, C, R, R]}. */
    public INDArray range(int from, int n) {
        if (from < 0 || n < 1 || from + n > count())
            throw new IllegalArgumentException("real images " + source + ": images " + from + ".." + (from + n - 1) + " asked, " + count() + " available");
        INDArray[] a = new INDArray[n];
        for (int i = 0; i < n; i++) a[i] = get(from + i);
        return Nd4j.concat(0, a).dup('c');
    }

    private INDArray idxImage(int k) {
        int h = idx.shape()[1], w = idx.shape()[2], r = resolution, off = k * h * w;
        float[] img = new float[h * w];
        for (int j = 0; j < img.length; j++) img[j] = Images.toFloat(idx.get(off + j));
        INDArray one = Nd4j.create(img, new long[]{1, h, w}, DataType.FLOAT);
        if (h > r || w > r) one = Images.centerCropResize(one, r).reshape(1, r, r);
        INDArray out = Nd4j.valueArrayOf(new long[]{1, channels, r, r}, -1f);
        int y0 = (r - (int) one.size(1)) / 2, x0 = (r - (int) one.size(2)) / 2;
        for (int ch = 0; ch < channels; ch++)
            out.get(NDArrayIndex.point(0), NDArrayIndex.point(ch), NDArrayIndex.interval(y0, y0 + one.size(1)), NDArrayIndex.interval(x0, x0 + one.size(2)))
                    .assign(one.reshape(one.size(1), one.size(2)));
        return out;
    }
}
