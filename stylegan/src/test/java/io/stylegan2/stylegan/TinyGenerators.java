package io.stylegan2.stylegan;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;

/** Tiny generators for gradient tests (shared with the losses tests through the test jar). */
public final class TinyGenerators {
    private TinyGenerators() {}

    /** 16 px (two up-sampling blocks), z and w 8, 2 mapping layers, 8 -> 6 -> 4 channels. */
    public static GeneratorConfig config(Double convClamp) {
        return new GeneratorConfig(8, 8, 2, 0.01, 16, 3, Map.of(4, 8, 8, 6, 16, 4), null, convClamp, "skip");
    }

    /**
     * NVlabs' random init with non-zero biases (N(0, 0.3^2), affine biases stay 1) and noise strengths
     * (0.2 to 0.5), which NVlabs' init leaves 0.
     */
    public static Generator tinyG(Double convClamp, long seed, DataType dt) {
        GeneratorConfig cfg = config(convClamp);
        Map<String, INDArray> p = Generator.randomParams(cfg, seed);
        Random rnd = new Random(seed);
        p.replaceAll((k, v) -> k.endsWith("noise_strength") ? Nd4j.scalar(DataType.FLOAT, (float) (0.2 + 0.3 * rnd.nextDouble())).reshape(new long[0])
                : k.endsWith(".bias") && !k.endsWith("affine.bias") ? Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.3f) : v);
        return Generator.create(cfg, p, dt);
    }
}
