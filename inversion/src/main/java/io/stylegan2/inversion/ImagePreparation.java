package io.stylegan2.inversion;

import io.stylegan2.core.io.Images;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns image files into {@link Target}s: decode (PNG, JPEG or any ImageIO format), convert to
 * RGB or gray, centre-crop to a square and area-resize to the generator's resolution
 * ({@link Images#centerCropResize}); pixels map to {@code [-1, 1]} as {@code x / 127.5 - 1}.
 *
 * <p><b>Alignment.</b> Nothing here aligns content. A generator only reconstructs images framed like
 * its training data: FFHQ models need faces aligned the FFHQ way (dlib 68-landmark alignment of
 * the FFHQ dataset script: eyes and mouth at fixed positions, 1024 crop, then resize); unaligned
 * faces project badly whatever the method (stylegan2-ada issue #247). No aligner is shipped; align
 * before calling this.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each call
 * decodes into new arrays; the image given to {@link #prepare} is only read).
 */
public final class ImagePreparation {
    private ImagePreparation() {}

    /** {@code [1, channels, resolution, resolution]} float32 in {@code [-1, 1]}. */
    public static INDArray load(Path file, int resolution, int channels) throws IOException {
        return prepare(Images.read(file, channels), resolution);
    }

    /** Centre crop + area resize of an image already in {@code [-1, 1]} ({@code [1,C,H,W]} or {@code [C,H,W]}). */
    public static INDArray prepare(INDArray image, int resolution) {
        return Images.centerCropResize(image, resolution);
    }

    /** One target per file, named by the file name without extension (made unique with {@code _2}, {@code _3}...). */
    public static List<Target> targets(List<Path> files, int resolution, int channels) throws IOException {
        List<Target> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Path f : files) {
            String base = f.getFileName().toString();
            int dot = base.lastIndexOf('.');
            if (dot > 0) base = base.substring(0, dot);
            String name = base;
            for (int k = 2; !used.add(name); k++) name = base + "_" + k;
            out.add(new Target(name, load(f, resolution, channels)));
        }
        return out;
    }
}
