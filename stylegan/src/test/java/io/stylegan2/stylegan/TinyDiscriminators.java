package io.stylegan2.stylegan;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** Tiny discriminators and inputs for gradient tests (shared with the losses tests through the test jar). */
public final class TinyDiscriminators {
    private TinyDiscriminators() {}

    /** 16x16, 3 -> 4 -> 5 -> 6 channels; random weights and (non-zero) biases, float64. */
    public static Discriminator tinyD(int group, int mbstdChannels, Double clamp, long seed) {
        return tinyD(group, mbstdChannels, clamp, seed, DataType.DOUBLE);
    }

    public static Discriminator tinyD(int group, int mbstdChannels, Double clamp, long seed, DataType dt) {
        DiscriminatorConfig cfg = new DiscriminatorConfig(16, 3, Map.of(4, 6, 8, 5, 16, 4), group, mbstdChannels, null, clamp, "resnet");
        Map<String, INDArray> params = Discriminator.randomParams(cfg, seed);
        params.replaceAll((name, v) -> name.endsWith(".bias") ? Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.3) : v);
        return Discriminator.create(cfg, params, dt);
    }

    /** N(0, 1) images {@code [n, 3, 16, 16]}, float64. */
    public static INDArray images(long n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, 3, 16, 16);
    }

    /** {@code max|a - ref| / max|ref|}. */
    public static double relErr(INDArray a, INDArray ref) {
        return a.sub(ref).amaxNumber().doubleValue() / ref.amaxNumber().doubleValue();
    }
}
