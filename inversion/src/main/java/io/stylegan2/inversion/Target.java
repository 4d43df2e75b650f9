package io.stylegan2.inversion;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * One image to invert.
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
}
