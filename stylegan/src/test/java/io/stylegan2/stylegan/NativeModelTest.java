package io.stylegan2.stylegan;

import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.io.TensorBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Native model file write/read and validation. */
class NativeModelTest {
    @TempDir Path tmp;

    private static Map<String, INDArray> random(Map<String, long[]> layout) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        layout.forEach((k, s) -> m.put(k, s.length == 0 ? Nd4j.scalar(0.3f) : Nd4j.rand(DataType.FLOAT, s)));
        return m;
    }

    /** The seeded NVlabs-style initialisations repeat (a training run's --seed means something), and differ between seeds. */
    @Test
    void seededRandomInitialisationsRepeat() {
        GeneratorConfig gc = new GeneratorConfig(8, 6, 2, 0.01, 16, 3, Map.of(4, 5, 8, 4, 16, 3), null, 256.0, null);
        DiscriminatorConfig dc = DiscriminatorConfig.nvlabs(16, 3, 64, 8);
        Map<String, INDArray> g1 = Generator.randomParams(gc, 3), g2 = Generator.randomParams(gc, 3), g3 = Generator.randomParams(gc, 4);
        Map<String, INDArray> d1 = Discriminator.randomParams(dc, 3), d2 = Discriminator.randomParams(dc, 3);
        assertThat(g2).isEqualTo(g1);
        assertThat(d2).isEqualTo(d1);
        assertThat(g3.get("synthesis.b8.conv0.weight")).isNotEqualTo(g1.get("synthesis.b8.conv0.weight"));
        // weights N(0, 1) (mapping weights / lr_multiplier)
        assertThat(g1.get("synthesis.b16.conv1.weight").stdNumber().doubleValue()).isBetween(0.8, 1.2);
        assertThat(g1.get("mapping.fc0.weight").stdNumber().doubleValue()).isBetween(80.0, 120.0);
    }

    @Test
    void roundTripAndValidation() throws IOException {
        GeneratorConfig gc = new GeneratorConfig(8, 6, 2, 0.01, 16, 3, Map.of(4, 5, 8, 4, 16, 3), null, 256.0, null);
        DiscriminatorConfig dc = DiscriminatorConfig.nvlabs(16, 3, 64, 8);
        Map<String, INDArray> g = random(CanonicalLayout.generator(gc));
        Map<String, INDArray> d = random(CanonicalLayout.discriminator(dc));
        NativeModel m = new NativeModel(gc, dc, g, d, Map.of("source", "test"));
        Path f = tmp.resolve("m.safetensors");
        m.write(f);
        NativeModel r = NativeModel.read(f);
        assertThat(r.generatorConfig()).isEqualTo(gc);
        assertThat(r.discriminatorConfig()).isEqualTo(dc);
        assertThat(r.metadata()).containsEntry("source", "test").containsEntry("format", NativeModel.FORMAT);
        for (String k : g.keySet()) assertThat(TensorBytes.toFloats(r.generator().get(k))).isEqualTo(TensorBytes.toFloats(g.get(k)));
        assertThat(r.wAvg().shape()).containsExactly(6);

        g.remove("mapping.w_avg");
        new NativeModel(gc, null, g, null, Map.of()).write(f);
        assertThat(NativeModel.read(f).wAvg()).isNull();
        g.remove("synthesis.b8.conv0.noise_const");
        new NativeModel(gc, null, g, null, Map.of()).write(f);
        assertThatThrownBy(() -> NativeModel.read(f)).hasMessageContaining("G.synthesis.b8.conv0.noise_const").hasMessageContaining("missing");
        Safetensors.write(f, Map.of("x", Nd4j.scalar(1f)), Map.of("format", "other"));
        assertThatThrownBy(() -> NativeModel.read(f)).hasMessageContaining("not a stylegan2-jvm/1");
    }
}
