package io.stylegan2.metrics;

import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.core.io.Images;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Pairs the images of two folders by file name without extension ({@code 0001.png} pairs with
 * {@code 0001.jpg}), non-recursively; image files are {@code .png}, {@code .jpg}, {@code .jpeg},
 * {@code .bmp} (case-insensitive), other files are ignored, and so is {@value #GRID} (the contact
 * sheet {@code generate} writes). Pairs are sorted by name. Two images with the same stem in one
 * folder are an error. Names present in only one folder are listed, not paired.
 *
 * <p><b>Thread safety:</b> Immutable when made by {@link #of} (unmodifiable lists); the methods
 * read files and are safe from any thread, {@code metrics} as far as its perceptual distance is.
 *
 * @param pairs   the paired files, sorted by name
 * @param onlyInA stems found only in the first folder
 * @param onlyInB stems found only in the second folder
 */
public record DirectoryPairs(List<Pair> pairs, List<String> onlyInA, List<String> onlyInB) {

    public record Pair(String name, Path a, Path b) {}

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");
    /** The file name that is never paired. */
    public static final String GRID = "grid.png";

    public static DirectoryPairs of(Path dirA, Path dirB) throws IOException {
        Map<String, Path> a = scan(dirA), b = scan(dirB);
        List<Pair> pairs = new ArrayList<>();
        List<String> onlyA = new ArrayList<>(), onlyB = new ArrayList<>();
        for (Map.Entry<String, Path> e : a.entrySet()) {
            Path p = b.get(e.getKey());
            if (p == null) onlyA.add(e.getKey());
            else pairs.add(new Pair(e.getKey(), e.getValue(), p));
        }
        for (String k : b.keySet()) if (!a.containsKey(k)) onlyB.add(k);
        return new DirectoryPairs(List.copyOf(pairs), List.copyOf(onlyA), List.copyOf(onlyB));
    }

    /**
     * The images of a folder that {@link #of} would pair (PNG, JPEG, BMP; not {@value #GRID}), sorted
     * by name.
     *
     * @throws IOException when {@code dir} is not a folder or two images share a name
     */
    public static List<Path> images(Path dir) throws IOException {
        return List.copyOf(scan(dir).values());
    }

    private static Map<String, Path> scan(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("not a folder: " + dir);
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                String n = p.getFileName().toString();
                String lower = n.toLowerCase(Locale.ROOT);
                if (!Files.isRegularFile(p) || EXTENSIONS.stream().noneMatch(lower::endsWith) || lower.equals(GRID)) continue;
                String stem = n.substring(0, n.lastIndexOf('.'));
                Path prev = out.put(stem, p);
                if (prev != null) throw new IOException("two images named '" + stem + "' in " + dir + ": " + prev.getFileName() + ", " + n);
            }
        }
        return out;
    }

    /** Names of the pairs, in order. */
    public List<String> names() {
        return pairs.stream().map(Pair::name).toList();
    }

    /**
     * Reads pairs {@code [from, to)} as two {@code [n,C,H,W]} batches in [-1, 1] (8-bit pixels
     * {@code p} read as {@code p / 127.5 - 1}); both images of a pair must have the same size, and
     * all pairs of a batch too.
     *
     * @throws IOException naming the file that cannot be read or whose size differs
     */
    public INDArray[] load(int from, int to, int channels) throws IOException {
        List<INDArray> xs = new ArrayList<>(), ys = new ArrayList<>();
        long[] shape = null;
        for (Pair p : pairs.subList(from, to)) {
            INDArray x = Images.read(p.a(), channels), y = Images.read(p.b(), channels);
            if (!Arrays.equals(x.shape(), y.shape()))
                throw new IOException("size differs: " + p.a() + " " + Arrays.toString(x.shape()) + " vs " + p.b() + " " + Arrays.toString(y.shape()));
            if (shape != null && !Arrays.equals(shape, x.shape()))
                throw new IOException("size differs from the other images of the batch: " + p.a() + " " + Arrays.toString(x.shape()));
            shape = x.shape();
            xs.add(x);
            ys.add(y);
        }
        return new INDArray[]{Nd4j.concat(0, xs.toArray(INDArray[]::new)), Nd4j.concat(0, ys.toArray(INDArray[]::new))};
    }

    /**
     * {@link ImageMetrics} of every pair (read one pair at a time, so sizes may differ between pairs),
     * in {@code convention}; {@code perceptual} may be null.
     */
    public List<ImageMetrics> metrics(int channels, PixelRange convention, PerceptualLoss perceptual) throws IOException {
        List<String> skipped = new ArrayList<>();
        List<ImageMetrics> out = metrics(channels, convention, perceptual, skipped);
        if (!skipped.isEmpty()) throw new IOException(skipped.get(0));
        return out;
    }

    /**
     * {@link ImageMetrics} of every pair that can be measured; a pair that cannot (an unreadable or
     * truncated image, sizes that differ, an image too small for the perceptual distance) is left out
     * and described in {@code skipped} ({@code "name: reason"}), and the others go on.
     */
    public List<ImageMetrics> metrics(int channels, PixelRange convention, PerceptualLoss perceptual, List<String> skipped) {
        List<ImageMetrics> out = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            try {
                INDArray[] xy = load(i, i + 1, channels);
                out.addAll(ImageMetrics.compute(xy[0], xy[1], List.of(pairs.get(i).name()), convention, perceptual));
            } catch (IOException | RuntimeException e) {
                skipped.add(pairs.get(i).name() + ": " + e.getMessage());
            }
        }
        return out;
    }
}
