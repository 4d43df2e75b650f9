package io.stylegan2.stylegan;

import java.io.IOException;
import java.io.InputStream;

/**
 * Trained models shipped inside this jar (no download, nothing fetched at run time).
 *
 * <p>{@link #fashionMnist32()}: a StyleGAN2 (G_ema + D) trained on Fashion-MNIST at 32x32 (images
 * padded 28 -> 32 on black, gray replicated to RGB): z = w = 64, 4 mapping layers ({@code lr_mlp}
 * 0.01), channels {4: 64, 8: 64, 16: 64, 32: 32}, num_ws 8. The native file's {@code source}
 * metadata says which run made it and at how many kimg; the README reports its FD/KD/precision/recall
 * and how it was trained. It is the command line's default model and the trained network of the
 * inversion methods' claim tests.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each call reads
 * a new model).
 */
public final class PretrainedModels {
    /** Classpath location of the Fashion-MNIST model. */
    public static final String FASHION_MNIST_32 = "/io/stylegan2/stylegan/models/fashion-mnist-32.safetensors";

    private PretrainedModels() {}

    /** The Fashion-MNIST 32x32 model (generator and discriminator), read from the jar. */
    public static NativeModel fashionMnist32() throws IOException {
        return read(FASHION_MNIST_32);
    }

    /** A model shipped in this jar, by classpath location. */
    public static NativeModel read(String resource) throws IOException {
        try (InputStream in = PretrainedModels.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("no model " + resource + " in this build (the jar was built without its resources?)");
            return NativeModel.read(in, resource);
        }
    }
}
