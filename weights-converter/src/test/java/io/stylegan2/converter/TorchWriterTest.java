package io.stylegan2.converter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TorchWriterTest {
    @TempDir Path tmp;

    @Test
    void roundTripsRosinalityLayout() throws IOException {
        Nd4j.getRandom().setSeed(7);
        INDArray img = Nd4j.randn(DataType.FLOAT, 3, 8, 8);
        INDArray latent = Nd4j.randn(DataType.FLOAT, 10, 300).muli(1e3);
        latent.putScalar(0, 0, Float.NaN);
        latent.putScalar(0, 1, Float.NEGATIVE_INFINITY);
        INDArray n0 = Nd4j.randn(DataType.FLOAT, 1, 1, 4, 4);
        INDArray n1 = Nd4j.randn(DataType.DOUBLE, 8, 8).transpose().reshape(1, 1, 8, 8); // cast + non-C view
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("img", img);
        entry.put("latent", latent);
        entry.put("noise", List.of(n0, n1));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("face_ü.png", entry);
        root.put("other", Map.of("img", img, "latent", latent, "noise", List.of(), "s", "x"));
        Path f = tmp.resolve("projected.pt");
        TorchWriter.writeZip(f, root);

        assertThat(TorchFiles.detect(f)).isEqualTo(TorchFiles.Format.TORCH_ZIP);
        try (ZipFile z = new ZipFile(f.toFile())) {
            assertThat(z.getEntry("archive/version")).isNotNull();
            assertThat(new String(z.getInputStream(z.getEntry("archive/version")).readAllBytes())).isEqualTo("3\n");
        }
        Map<?, ?> back = (Map<?, ?>) TorchFiles.load(f);
        assertThat(TorchFiles.keys(back)).containsExactly("face_ü.png", "other");
        Map<?, ?> e = (Map<?, ?>) back.get("face_ü.png");
        assertThat(TorchFiles.keys(e)).containsExactly("img", "latent", "noise");
        INDArray img2 = (INDArray) e.get("img");
        assertThat(img2.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(img2.shape()).containsExactly(3, 8, 8);
        assertThat(img2.equals(img)).isTrue();
        INDArray lat2 = (INDArray) e.get("latent");
        assertThat(lat2.shape()).containsExactly(10, 300);
        assertThat(Float.isNaN(lat2.getFloat(0, 0))).isTrue();
        assertThat(lat2.getFloat(0, 1)).isEqualTo(Float.NEGATIVE_INFINITY);
        latent.putScalar(0, 0, 0f);
        latent.putScalar(0, 1, 0f);
        lat2 = lat2.dup();
        lat2.putScalar(0, 0, 0f);
        lat2.putScalar(0, 1, 0f);
        assertThat(lat2.equals(latent)).isTrue();
        List<?> noise = (List<?>) e.get("noise");
        assertThat(noise).hasSize(2);
        assertThat(((INDArray) noise.get(0)).equals(n0)).isTrue();
        assertThat(((INDArray) noise.get(1)).shape()).containsExactly(1, 1, 8, 8);
        assertThat(((INDArray) noise.get(1)).equals(n1.castTo(DataType.FLOAT))).isTrue();
        Map<?, ?> o = (Map<?, ?>) back.get("other");
        assertThat((List<?>) o.get("noise")).isEmpty();
        assertThat(o.get("s")).isEqualTo("x");
        assertThat(Files.list(tmp).toList()).containsExactly(f);
    }

    @Test
    void rejectsUnsupportedValues() {
        assertThatThrownBy(() -> TorchWriter.writeZip(tmp.resolve("x.pt"), Map.of("a", 1.5)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
