package io.stylegan2.converter;

import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.NativeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A checkpoint with NaN or infinite weights is refused by convert, naming the tensor, unless allowed (it drew black images with exit 0). */
class NonFiniteWeightsTest {
    @TempDir Path dir;

    @Test
    void nonFiniteTensorsAreRefusedUnlessAllowed() throws IOException {
        NativeModel m = Converter.load(List.of(Fixtures.path("nvlabs/nv_s32_c64")), ConvertOptions.defaults());
        Map<String, INDArray> g = new LinkedHashMap<>(m.generator());
        String name = "synthesis.b8.conv0.weight";
        INDArray bad = g.get(name).dup();
        bad.putScalar(3, Float.NaN);
        bad.putScalar(5, Float.POSITIVE_INFINITY);
        g.put(name, bad);
        Path in = dir.resolve("nan.safetensors"), out = dir.resolve("out.safetensors");
        new NativeModel(m.generatorConfig(), m.discriminatorConfig(), g, m.discriminator(), Map.of("source", "test")).write(in);

        assertThatThrownBy(() -> Converter.convert(in, out, ConvertOptions.defaults())).isInstanceOf(IOException.class)
                .hasMessageContainingAll(in.toString(), "generator tensor '" + name + "'", "2 NaN or infinite values", "--allow-non-finite");
        assertThat(out).doesNotExist();
        NativeModel kept = Converter.convert(in, out, ConvertOptions.defaults().withAllowNonFinite(true));
        assertThat(Float.isNaN(kept.generator().get(name).getFloat(3))).isTrue();
        assertThat(Files.exists(out)).isTrue();
    }
}
