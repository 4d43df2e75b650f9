package io.stylegan2.inversion.sam;

import io.stylegan2.core.io.Images;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * User-supplied segment maps: label PNGs in which every distinct colour (or grey level) is one
 * segment ({@link Segmentation#fromLabelImage}; resized by nearest neighbour when their size
 * differs from the image). {@code path} is one PNG used for every image, or a folder holding
 * {@code <target name>.png} for each image.
 *
 * <p><b>Thread safety:</b> Immutable; safe to call from several threads.
 *
 * @param path a label PNG or a folder of them
 */
public record LabelMapSegmenter(Path path) implements Segmenter {
    public LabelMapSegmenter {
        if (path == null) throw new IllegalArgumentException("segment maps: no path");
        if (!Files.exists(path)) throw new IllegalArgumentException("segment maps: " + path + " does not exist");
    }

    @Override
    public Segmentation segment(String name, INDArray image) {
        Path file = Files.isDirectory(path) ? path.resolve(name + ".png") : path;
        if (!Files.isRegularFile(file))
            throw new IllegalArgumentException("segment maps: no label map for '" + name + "' (expected " + file + ")");
        BufferedImage img;
        try {
            img = Images.decode(file);
        } catch (IOException e) {
            throw new UncheckedIOException("segment maps: " + e.getMessage(), e);
        }
        return Segmentation.fromLabelImage(img, (int) image.size(2), (int) image.size(3));
    }

    @Override
    public String describe() {
        return "label maps " + path;
    }
}
