package io.stylegan2.core.testing;

import io.stylegan2.core.io.Idx;
import io.stylegan2.core.io.Images;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;

/**
 * The first 256 Fashion-MNIST test images (see {@code src/test/resources/fashion-mnist/README.md}):
 * real images none of the project's models was trained on.
 */
public final class FashionMnistSamples {
    public static final int COUNT = 256;
    private static final String DIR = "/fashion-mnist/";
    private static Idx.UByteArray images, labels;

    private FashionMnistSamples() {}

    /** Class names, by label. */
    public static final String[] CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

    private static synchronized void load() {
        if (images != null) return;
        images = read("t10k-first256-images-idx3-ubyte.gz");
        labels = read("t10k-first256-labels-idx1-ubyte.gz");
    }

    private static Idx.UByteArray read(String name) {
        try (InputStream in = FashionMnistSamples.class.getResourceAsStream(DIR + name)) {
            if (in == null) throw new IOException("test resource " + DIR + name + " is missing");
            return Idx.read(new GZIPInputStream(in), name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Label of sample {@code i}. */
    public static int label(int i) {
        load();
        return labels.get(i);
    }

    /**
     * Sample {@code i} as the Fashion-MNIST models see it: {@code [1, channels, 32, 32]} in [-1, 1],
     * the 28x28 image centred on black (2 px border), gray replicated to {@code channels}.
     */
    public static INDArray padded(int i, int channels) {
        load();
        if (i < 0 || i >= COUNT) throw new IndexOutOfBoundsException("sample " + i + " of " + COUNT);
        float[] v = new float[channels * 32 * 32];
        java.util.Arrays.fill(v, -1f);
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) v[(c * 32 + y + 2) * 32 + x + 2] = Images.toFloat(images.get((i * 28 + y) * 28 + x));
        return Nd4j.create(v, new long[]{1, channels, 32, 32}, DataType.FLOAT);
    }

    /** The first sample of each class, in label order (10 indices). */
    public static int[] onePerClass() {
        int[] out = new int[10];
        java.util.Arrays.fill(out, -1);
        for (int i = 0; i < COUNT; i++) if (out[label(i)] < 0) out[label(i)] = i;
        return out;
    }
}
