package io.stylegan2.inversion;

import io.stylegan2.stylegan.GeneratorConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * One image to invert.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the image is not copied, so a target is safe to
 * share as long as no thread mutates it.
 *
 * @param name  a label (file name without extension, for example); used in outcomes and file names
 * @param image {@code [1, C, R, R]} in {@code [-1, 1]} (the generator's channels and resolution)
 */
public record Target(String name, INDArray image) {
    public Target {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("target name must not be blank");
        if (image == null) throw new IllegalArgumentException("target '" + name + "': no image");
        long[] s = image.shape();
        if (s.length != 4 || s[0] != 1 || s[2] != s[3])
            throw new IllegalArgumentException("target '" + name + "': expected an image [1, C, R, R], got " + Arrays.toString(s));
    }

    public int channels() {
        return (int) image.size(1);
    }

    public int resolution() {
        return (int) image.size(2);
    }

    /** Checks that this target fits the generator's channels and resolution; the error names the target. */
    public Target requireFits(GeneratorConfig g) {
        if (channels() != g.imgChannels() || resolution() != g.imgResolution())
            throw new IllegalArgumentException("target '" + name + "' is " + channels() + "x" + resolution() + "x" + resolution()
                    + " but the generator makes " + g.imgChannels() + "x" + g.imgResolution() + "x" + g.imgResolution()
                    + " images (prepare it with ImagePreparation.load)");
        return this;
    }

    /** Checks that {@code image} is {@code [1, C, R, R]} at the generator's size; the error names {@code what} and both shapes. */
    public static void checkImage(GeneratorConfig g, INDArray image, String what) {
        long[] want = {1, g.imgChannels(), g.imgResolution(), g.imgResolution()};
        if (image == null || !Arrays.equals(image.shape(), want))
            throw new IllegalArgumentException(what + ": shape " + (image == null ? null : Arrays.toString(image.shape())) + ", expected " + Arrays.toString(want));
    }
}
