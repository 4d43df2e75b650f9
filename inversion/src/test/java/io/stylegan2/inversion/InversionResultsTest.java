package io.stylegan2.inversion;

import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InversionResultsTest {
    @TempDir Path dir;

    static void assertSameArray(INDArray a, INDArray b) {
        assertThat(b.shape()).containsExactly(a.shape());
        assertThat(b.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(Arrays.equals(a.castTo(DataType.FLOAT).dup('c').data().asFloat(), b.dup('c').data().asFloat())).isTrue();
    }

    static void assertSameResult(InversionResult a, InversionResult b) {
        assertThat(b.method()).isEqualTo(a.method());
        assertThat(b.targetName()).isEqualTo(a.targetName());
        assertThat(b.space()).isEqualTo(a.space());
        assertSameArray(a.ws(), b.ws());
        assertSameArray(a.reconstruction(), b.reconstruction());
        assertThat(b.extras().keySet()).containsExactlyElementsOf(a.extras().keySet());
        a.extras().forEach((k, v) -> assertSameArray(v, b.extras().get(k)));
        assertThat(b.config()).isEqualTo(a.config());
        assertThat(b.history()).isEqualTo(a.history());
        assertThat(b.metrics()).isEqualTo(a.metrics());
        assertThat(b.timing()).isEqualTo(a.timing());
        assertThat(b.notes()).isEqualTo(a.notes());
    }

    @Test
    void nativeFileRoundTripsExactlyForARealProjection() throws Exception {
        InversionResult r = new WPlusProjector(FixtureModel.generator(), null, WPlusConfig.defaults().withSteps(2))
                .invert(FixtureModel.target("img 1", 5, 0.7));
        Path f = dir.resolve("r.safetensors");
        InversionResults.save(r, f);
        assertSameResult(r, InversionResults.load(f));
    }

    @Test
    void specialValuesExtrasAndConfigRoundTrip() throws Exception {
        Nd4j.getRandom().setSeed(1);
        Map<String, INDArray> extras = new LinkedHashMap<>();
        extras.put("noise/b4.conv1", Nd4j.randn(DataType.FLOAT, 1, 1, 4, 4));
        extras.put("padding/b8.conv1", Nd4j.randn(DataType.FLOAT, 1, 8, 10, 10));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("steps", 3);
        cfg.put("lr", 0.1);
        cfg.put("seed", 12345678901L);
        cfg.put("name", "x");
        cfg.put("nested", Map.of("a", List.of(1, 2)));
        List<Map<String, Double>> hist = List.of(Map.of("mse", 0.25, "total", Double.NaN), Map.of("mse", 1e-30, "total", Double.POSITIVE_INFINITY));
        InversionResult r = new InversionResult("pti", "t", LatentSpace.W, Nd4j.randn(DataType.FLOAT, 1, 4, 8), Nd4j.randn(DataType.FLOAT, 1, 3, 8, 8),
                extras, cfg, hist, new ReconstructionMetrics(0, Double.POSITIVE_INFINITY, 1, 0, "lpips-vgg", 0.125),
                new Timing(0.5, 1.25, 2, 375.0), List.of("a note"));
        Path f = dir.resolve("s.safetensors");
        InversionResults.save(r, f);
        InversionResult back = InversionResults.load(f);
        assertThat(back.config().get("seed")).isEqualTo(12345678901L);
        assertThat(back.config().get("steps")).isEqualTo(3);
        assertSameResult(r, back);
        assertThat(back.history().get(0).get("total")).isNaN();
    }

    @Test
    void projectedWNpzHoldsWNpy() throws Exception {
        INDArray ws = Nd4j.randn(DataType.FLOAT, 1, 8, 64);
        Path f = dir.resolve("projected_w.npz");
        InversionResults.writeProjectedWNpz(ws, f);
        Map<String, INDArray> back = InversionResults.readNpz(f);
        assertThat(back.keySet()).containsExactly("w");
        assertSameArray(ws, back.get("w"));
        // stored entry, npy magic at the start of the entry data (numpy's np.load reads it)
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(f.toFile())) {
            assertThat(z.getEntry("w.npy").getMethod()).isEqualTo(java.util.zip.ZipEntry.STORED);
        }
        InversionResult r = new InversionResult("wplus", "t", LatentSpace.W_PLUS, ws, Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8),
                null, null, null, null, null, null);
        Path l = dir.resolve("latent.npy");
        InversionResults.writeLatentNpy(r, l);
        INDArray rows = Npy.read(l);
        assertThat(rows.shape()).containsExactly(8, 64);
        assertSameArray(ws.reshape(8, 64), rows);
    }

    @Test
    void rejectsOtherFiles() throws Exception {
        Path f = dir.resolve("other.safetensors");
        io.stylegan2.core.io.Safetensors.write(f, Map.of("x", Nd4j.zeros(DataType.FLOAT, 2)), Map.of("format", "something"));
        assertThatThrownBy(() -> InversionResults.load(f)).hasMessageContaining("not an inversion result");
        Files.writeString(dir.resolve("bad.npz"), "nope");
        assertThatThrownBy(() -> InversionResults.readNpz(dir.resolve("bad.npz"))).hasMessageContaining("no .npy entries");
    }
}
