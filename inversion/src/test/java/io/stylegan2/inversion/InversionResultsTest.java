package io.stylegan2.inversion;

import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
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

    static void assertSameArrays(Map<String, INDArray> a, Map<String, INDArray> b) {
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        a.forEach((k, v) -> assertSameArray(v, b.get(k)));
    }

    static void assertSameResult(InversionResult a, InversionResult b) {
        assertThat(b.method()).isEqualTo(a.method());
        assertThat(b.targetName()).isEqualTo(a.targetName());
        assertThat(b.space()).isEqualTo(a.space());
        assertSameArray(a.ws(), b.ws());
        assertSameArray(a.image(), b.image());
        Reconstruction ra = a.reconstruction(), rb = b.reconstruction();
        assertSameArrays(ra.latent().featureOffsets(), rb.latent().featureOffsets());
        assertThat(rb.hooks().noiseMode()).isEqualTo(ra.hooks().noiseMode());
        assertSameArrays(ra.hooks().noise(), rb.hooks().noise());
        assertSameArrays(ra.hooks().padding(), rb.hooks().padding());
        assertSameArrays(ra.hooks().featureMasks(), rb.hooks().featureMasks());
        assertThat(rb.hooks().constInput() == null).isEqualTo(ra.hooks().constInput() == null);
        if (ra.hooks().constInput() != null) assertSameArray(ra.hooks().constInput(), rb.hooks().constInput());
        assertSameArrays(ra.weightOffsets(), rb.weightOffsets());
        assertSameArrays(ra.extras(), rb.extras());
        assertThat(b.config()).isEqualTo(a.config());
        assertThat(b.history()).isEqualTo(a.history());
        assertThat(b.metrics()).isEqualTo(a.metrics());
        assertThat(b.timing()).isEqualTo(a.timing());
        assertThat(b.notes()).isEqualTo(a.notes());
    }

    @Test
    void nativeFileRoundTripsExactlyForARealProjection() throws Exception {
        InversionResult r = new WPlusProjector(FixtureModel.generator(), WPlusConfig.defaults().withSteps(2))
                .invert(FixtureModel.target("img 1", 5, 0.7));
        Path f = dir.resolve("r.safetensors");
        InversionResults.save(r, f);
        assertSameResult(r, InversionResults.load(f));
    }

    @Test
    void everyPartOfAReconstructionAndSpecialValuesRoundTrip() throws Exception {
        Nd4j.getRandom().setSeed(1);
        HookState hooks = new HookState(NoiseMode.NONE, Map.of("b4.conv1", Nd4j.randn(DataType.FLOAT, 1, 1, 4, 4)),
                Map.of("b8.conv1", Nd4j.randn(DataType.FLOAT, 1, 8, 10, 10)), null,
                Map.of("b8", Nd4j.rand(DataType.FLOAT, 1, 1, 8, 8)), Nd4j.randn(DataType.FLOAT, 8, 4, 4));
        Latent latent = new Latent(LatentSpace.W_PLUS_FEATURES, Nd4j.randn(DataType.FLOAT, 1, 4, 8), Map.of("b8", Nd4j.randn(DataType.FLOAT, 1, 8, 8, 8)));
        Map<String, INDArray> deltas = new LinkedHashMap<>();
        deltas.put("synthesis.b8.conv1.weight", Nd4j.randn(DataType.FLOAT, 8, 8, 3, 3));
        Map<String, INDArray> extras = Map.of("discriminator/b4.out.bias", Nd4j.randn(DataType.FLOAT, 1));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("steps", 3);
        cfg.put("lr", 0.1);
        cfg.put("seed", 12345678901L);
        cfg.put("name", "x");
        cfg.put("nested", Map.of("a", List.of(1, 2)));
        List<Map<String, Double>> hist = List.of(Map.of("mse", 0.25, "total", Double.NaN), Map.of("mse", 1e-30, "total", Double.POSITIVE_INFINITY));
        InversionResult r = new InversionResult("pti", "t", new Reconstruction(latent, hooks, deltas, extras), Nd4j.randn(DataType.FLOAT, 1, 3, 8, 8),
                cfg, hist, new ReconstructionMetrics(0, Double.POSITIVE_INFINITY, 1, 0, "lpips-vgg", 0.125),
                new Timing(0.5, 1.25, 2, 375.0), List.of("a note"));
        Path f = dir.resolve("s.safetensors");
        InversionResults.save(r, f);
        InversionResult back = InversionResults.load(f);
        assertThat(back.config().get("seed")).isEqualTo(12345678901L);
        assertThat(back.config().get("steps")).isEqualTo(3);
        assertSameResult(r, back);
        assertThat(back.history().get(0).get("total")).isNaN();
        assertThat(back.space()).isEqualTo(LatentSpace.W_PLUS_FEATURES);
        assertThat(back.reconstruction().hooks().noiseMode()).isEqualTo(NoiseMode.NONE);
    }

    /** A file of the previous format (stylegan2-inversion/1) as that code wrote it: offsets and the w method's noise maps come back as such. */
    @Test
    void readsThePreviousFormat() throws Exception {
        Nd4j.getRandom().setSeed(2);
        INDArray ws = Nd4j.randn(DataType.FLOAT, 1, 4, 8), img = Nd4j.randn(DataType.FLOAT, 1, 3, 8, 8);
        INDArray noise = Nd4j.randn(DataType.FLOAT, 1, 1, 4, 4), delta = Nd4j.randn(DataType.FLOAT, 8, 8, 3, 3), other = Nd4j.ones(DataType.FLOAT, 2);
        for (String method : new String[]{"w", "pti"}) {
            Map<String, INDArray> t = new LinkedHashMap<>();
            t.put("ws", ws);
            t.put("reconstruction", img);
            t.put("extras/noise/b4.conv1", noise);
            t.put("extras/other", other);
            if (method.equals("pti")) t.put("extras/delta/synthesis.b8.conv1.weight", delta);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", InversionResults.FORMAT_V1);
            meta.put("method", method);
            meta.put("target", "t");
            meta.put("latent_space", method.equals("w") ? "w" : "w_plus");
            meta.put("config", "{\"pti\":\"PtiConfig[maxSteps=350]\"}");
            meta.put("history", "[{\"mse\":0.5,\"total\":0.5}]");
            meta.put("metrics", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new ReconstructionMetrics(1, 2, 0.5, 0.1, null, null)));
            meta.put("timing", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(new Timing(0, 1, 2, 3)));
            meta.put("notes", "[]");
            Path f = dir.resolve(method + "-v1.safetensors");
            io.stylegan2.core.io.Safetensors.write(f, t, meta);
            InversionResult r = InversionResults.load(f);
            assertSameArray(ws, r.ws());
            assertSameArray(img, r.image());
            assertThat(r.history()).hasSize(1);
            if (method.equals("w")) {
                assertThat(r.space()).isEqualTo(LatentSpace.W);
                assertSameArrays(Map.of("b4.conv1", noise), r.reconstruction().hooks().noise());
                assertSameArrays(Map.of("other", other), r.reconstruction().extras());
                assertThat(r.reconstruction().weightOffsets()).isEmpty();
            } else {
                assertThat(r.reconstruction().hooks().noise()).isEmpty();   // PTI rendered with const noise; the pivot's maps stay extras
                assertThat(r.reconstruction().extras()).containsOnlyKeys("noise/b4.conv1", "other");
                assertSameArrays(Map.of("synthesis.b8.conv1.weight", delta), r.reconstruction().weightOffsets());
            }
        }
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
        InversionResult r = new InversionResult("wplus", "t", Reconstruction.of(new Latent(LatentSpace.W_PLUS, ws, null)), Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8),
                null, null, null, null, null);
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
