package io.stylegan2.metrics;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifoldDriftTest {
    static final GeneratorConfig CFG = new GeneratorConfig(8, 8, 2, 0.01, 16, 3, Map.of(4, 8, 8, 6, 16, 4), null, null, "skip");

    @Test
    void zeroOffsetsGiveZeroDriftAndLargerOffsetsMore() {
        try (Generator g = Generator.random(CFG, 5)) {
            String name = "synthesis.b16.conv1.weight";
            long[] shape = g.params().get(name).shape();
            ManifoldDrift.Result none = ManifoldDrift.measure(g, Map.of(name, Nd4j.zeros(DataType.FLOAT, shape)), 6, 1, 4);
            assertThat(none.mse()).isEqualTo(0.0);
            assertThat(none.perceptual()).isEmpty();
            Nd4j.getRandom().setSeed(2);
            INDArray d = Nd4j.randn(DataType.FLOAT, shape);
            io.stylegan2.losses.PerceptualLoss l1 = io.stylegan2.losses.Pixelwise.l1Distance();
            ManifoldDrift.Result small = ManifoldDrift.measure(g, Map.of(name, d.mul(0.01)), 6, 1, 4, l1);
            ManifoldDrift.Result large = ManifoldDrift.measure(g, Map.of(name, d.mul(0.5)), 6, 1, 4, l1);
            assertThat(small.mse()).isGreaterThan(0);
            assertThat(large.mse()).isGreaterThan(small.mse());
            assertThat(large.perceptual().getAsDouble()).isGreaterThan(small.perceptual().getAsDouble());
            assertThat(large.perceptualName()).isEqualTo("l1");
            assertThatThrownBy(() -> ManifoldDrift.measure(g, Map.of("nope", d), 2, 1, 2)).hasMessageContaining("nope");
        }
    }
}
