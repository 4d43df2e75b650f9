package io.stylegan2.converter;

import io.stylegan2.core.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link InceptionConverter} on stub state dicts with every Inception-v3 key (src/test/python/make_inception_stub.py). */
class InceptionConverterTest {
    @TempDir Path tmp;

    static Path resource(String name) throws Exception {
        return Paths.get(InceptionConverterTest.class.getResource("/inception/" + name).toURI());
    }

    @Test
    void keepsConvAndBnTensorsAndDetectsTheVariant() throws Exception {
        Path out = tmp.resolve("fid.safetensors");
        InceptionConverter.convert(resource("inception_stub.pth"), out);
        Safetensors.Contents c = Safetensors.read(out);
        assertThat(c.metadata()).containsEntry("inception_variant", "fid").containsEntry("source", "inception_stub.pth");
        assertThat(c.tensors()).hasSize(InceptionConverter.TENSOR_COUNT);
        assertThat(c.tensors().keySet()).noneMatch(k -> k.startsWith("AuxLogits") || k.startsWith("fc.") || k.contains("num_batches"));
        INDArray w = c.tensors().get("Conv2d_1a_3x3.conv.weight");
        assertThat(w.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(w.getDouble(0)).isEqualTo(0.0);
        assertThat(w.getDouble(1)).isEqualTo(0.5);

        Path legacy = tmp.resolve("tv.safetensors");
        InceptionConverter.convert(resource("inception_stub_legacy.pth"), legacy);
        assertThat(Safetensors.read(legacy).metadata()).containsEntry("inception_variant", "torchvision");
        InceptionConverter.convert(resource("inception_stub_legacy.pth"), legacy, "fid");
        assertThat(Safetensors.read(legacy).metadata()).containsEntry("inception_variant", "fid");
    }

    @Test
    void rejectsOtherFilesWithoutWriting() throws Exception {
        Path out = tmp.resolve("x.safetensors");
        Path alex = io.stylegan2.core.testing.Fixtures.path("lpips/alex.pth");
        assertThatThrownBy(() -> InceptionConverter.convert(alex, out)).isInstanceOf(IOException.class).hasMessageContaining("alex.pth");
        assertThat(Files.exists(out)).isFalse();
    }
}
