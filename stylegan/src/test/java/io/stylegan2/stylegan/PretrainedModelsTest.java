package io.stylegan2.stylegan;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.testing.FashionMnistSamples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.*;

/** The shipped Fashion-MNIST model: its config, deterministic const-noise output, and images that look like the data. */
class PretrainedModelsTest {
    static NativeModel model;
    static Generator g;

    @BeforeAll
    static void load() throws IOException {
        model = PretrainedModels.fashionMnist32();
        g = Generator.create(model.generatorConfig(), model.generator());
    }

    @AfterAll
    static void close() {
        g.close();
    }

    @Test
    void configAndDiscriminator() {
        GeneratorConfig c = model.generatorConfig();
        assertEquals(64, c.zDim());
        assertEquals(64, c.wDim());
        assertEquals(32, c.imgResolution());
        assertEquals(3, c.imgChannels());
        assertEquals(8, c.numWs());
        assertNotNull(model.discriminatorConfig(), "the inversion methods that need D (near-perfect) use the shipped one");
        assertEquals(32, model.discriminatorConfig().imgResolution());
    }

    @Test
    void constNoiseIsDeterministic() {
        INDArray z = Seeds.z(new long[]{1, 2, 3, 4}, 64);
        INDArray a = g.generate(z, 0.7, NoiseMode.CONST, 0).dup();
        INDArray b = g.generate(z, 0.7, NoiseMode.CONST, 99).dup();
        assertEquals(a, b, "const noise: the noise seed must not matter");
        try (Generator other = Generator.create(model.generatorConfig(), model.generator())) {
            assertEquals(a, other.generate(z, 0.7, NoiseMode.CONST, 0), "a second instance draws the same images");
        }
        assertNotEquals(a, g.generate(z, 0.7, NoiseMode.RANDOM, 1), "random noise changes the images");
    }

    /**
     * Fashion-MNIST images are padded 28 -> 32 on black and are gray: a trained model reproduces the
     * black border and equal channels, a random-init network (the coloured noise this replaced) does not.
     */
    @Test
    void imagesLookLikeTheData() {
        INDArray img = g.generate(Seeds.z(new long[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 64), 1.0, NoiseMode.CONST, 0);
        double border = img.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 1), NDArrayIndex.all()).meanNumber().doubleValue();
        double colour = img.get(NDArrayIndex.all(), NDArrayIndex.point(0)).sub(img.get(NDArrayIndex.all(), NDArrayIndex.point(2))).norm1Number().doubleValue() / (16 * 32 * 32);
        double real = FashionMnistSamples.padded(0, 3).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 1), NDArrayIndex.all()).meanNumber().doubleValue();
        assertEquals(-1.0, real, 0.0);
        assertTrue(border < -0.9, "top row mean " + border + " (the data's is -1)");
        assertTrue(colour < 0.05, "mean |R - B| " + colour + " (the data is gray)");
    }
}
