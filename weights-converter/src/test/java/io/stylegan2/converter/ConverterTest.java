package io.stylegan2.converter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.io.TensorBytes;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** End-to-end conversion of the real fixtures. */
class ConverterTest {
    @TempDir Path tmp;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static float[] v(INDArray a) {
        return TensorBytes.toFloats(a);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, INDArray> sub(Map<?, ?> ck, String k) {
        return (Map<String, INDArray>) ck.get(k);
    }

    @Test
    void rosinalityS32MatchesNvlabsNamesAndShapes() throws IOException {
        Path in = Fixtures.path("rosinality/ros_s32_c64/checkpoint.pt");
        Path out = tmp.resolve("ros32.safetensors");
        Converter.convert(in, out, ConvertOptions.defaults());
        NativeModel m = NativeModel.read(out);
        GeneratorConfig gc = m.generatorConfig();
        assertThat(gc).isEqualTo(new GeneratorConfig(64, 64, 2, 0.01, 32, 3, Map.of(4, 64, 8, 64, 16, 64, 32, 32), null, null, "skip"));
        assertThat(gc).isEqualTo(GeneratorConfig.nvlabs(64, 64, 2, 32, 3, 1024, 64));
        assertThat(m.discriminatorConfig()).isEqualTo(DiscriminatorConfig.nvlabs(32, 3, 1024, 64));
        assertThat(m.metadata().get("format")).isEqualTo("stylegan2-jvm/1");
        assertThat(m.metadata().get("source")).contains("checkpoint.pt").contains("ROSINALITY");

        Map<?, ?> ck = (Map<?, ?>) TorchFiles.load(in);
        JsonNode map = JSON.readTree(Fixtures.path("nvlabs/nv_s32_c64/rosinality_key_map.json").toFile());
        JsonNode nvShapes = JSON.readTree(Fixtures.path("nvlabs/nv_s32_c64/state_dict_keys.json").toFile());
        int checked = 0;
        for (String[] part : new String[][]{{"G", "g_ema", "G_ema"}, {"D", "d", "D"}}) {
            Map<String, INDArray> ros = sub(ck, part[1]);
            Map<String, INDArray> conv = part[0].equals("G") ? m.generator() : m.discriminator();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.get(part[0]).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String nv = e.getValue().get(0).asText();
                INDArray c = conv.get(nv);
                assertThat(c).as(nv).isNotNull();
                long[] nvShape = JSON.convertValue(nvShapes.get(part[2]).get(nv).get(0), long[].class);
                assertThat(c.shape()).as(nv).isEqualTo(nvShape);
                assertThat(v(c)).as(e.getKey() + " -> " + nv).isEqualTo(v(ros.get(e.getKey())));
                checked++;
            }
            // every converted tensor is accounted for by the key map (plus w_avg)
            long mapped = 0;
            for (Iterator<JsonNode> it = map.get(part[0]).elements(); it.hasNext(); ) if (conv.containsKey(it.next().get(0).asText())) mapped++;
            assertThat(conv.size()).isEqualTo(mapped + (part[0].equals("G") ? 1 : 0));
        }
        assertThat(checked).isGreaterThan(80);
        assertThat(v(m.wAvg())).isEqualTo(v(Npy.read(Fixtures.path("rosinality/ros_s32_c64/latent_avg.npy"))));
        assertThat(v(m.generator().get("synthesis.b16.conv1.noise_const")))
                .isEqualTo(v(Npy.read(Fixtures.path("rosinality/ros_s32_c64/noise_04.npy"))));
        assertThat(m.generator().get("synthesis.b8.conv0.noise_strength").rank()).isZero();
    }

    @Test
    void rosinalityS16GEmaVersusG() throws IOException {
        Path in = Fixtures.path("rosinality/ros_s16_c48/checkpoint.pt");
        NativeModel ema = Converter.convert(in, tmp.resolve("ema.safetensors"), ConvertOptions.defaults());
        NativeModel g = Converter.convert(in, tmp.resolve("g.safetensors"), ConvertOptions.defaults().withGenerator("g").withDiscriminator(false));
        GeneratorConfig expected = new GeneratorConfig(32, 32, 3, 0.01, 16, 3, Map.of(4, 48, 8, 32, 16, 16), null, null, "skip");
        assertThat(ema.generatorConfig()).isEqualTo(expected);
        assertThat(g.generatorConfig()).isEqualTo(expected);
        assertThat(ema.discriminatorConfig().channels()).isEqualTo(Map.of(4, 48, 8, 32, 16, 16));
        assertThat(g.hasDiscriminator()).isFalse();
        assertThat(NativeModel.read(tmp.resolve("g.safetensors")).hasDiscriminator()).isFalse();
        Map<?, ?> ck = (Map<?, ?>) TorchFiles.load(in);
        String w = "synthesis.b8.conv0.weight";
        assertThat(v(ema.generator().get(w))).isNotEqualTo(v(g.generator().get(w)));
        assertThat(v(g.generator().get(w))).isEqualTo(v(sub(ck, "g").get("convs.0.conv.weight")));
        assertThat(v(ema.generator().get(w))).isEqualTo(v(sub(ck, "g_ema").get("convs.0.conv.weight")));
        assertThat(g.metadata().get("generator")).isEqualTo("g");
        // file round trip is exact
        NativeModel back = NativeModel.read(tmp.resolve("ema.safetensors"));
        for (Map.Entry<String, INDArray> e : ema.generator().entrySet())
            assertThat(v(back.generator().get(e.getKey()))).as(e.getKey()).isEqualTo(v(e.getValue()));
        for (Map.Entry<String, INDArray> e : ema.discriminator().entrySet())
            assertThat(v(back.discriminator().get(e.getKey()))).as(e.getKey()).isEqualTo(v(e.getValue()));
    }

    @Test
    void nvlabsStateDictsFromFolderOrFileList() throws IOException {
        Path dir = Fixtures.path("nvlabs/nv_s32_c64");
        NativeModel a = Converter.convert(dir, tmp.resolve("a.safetensors"), ConvertOptions.defaults());
        NativeModel b = Converter.convert(List.of(dir.resolve("G_ema.state_dict.pt"), dir.resolve("D.state_dict.pt")),
                tmp.resolve("b.safetensors"), ConvertOptions.defaults());
        assertThat(a.generatorConfig()).isEqualTo(GeneratorConfig.nvlabs(64, 64, 2, 32, 3, 1024, 64));
        assertThat(a.discriminatorConfig()).isEqualTo(DiscriminatorConfig.nvlabs(32, 3, 1024, 64));
        assertThat(b.generatorConfig()).isEqualTo(a.generatorConfig());
        Map<?, ?> g = (Map<?, ?>) TorchFiles.load(dir.resolve("G_ema.state_dict.pt"));
        Map<?, ?> d = (Map<?, ?>) TorchFiles.load(dir.resolve("D.state_dict.pt"));
        NativeModel r = NativeModel.read(tmp.resolve("a.safetensors"));
        int n = 0;
        for (Map.Entry<?, ?> e : g.entrySet()) {
            String k = (String) e.getKey();
            if (k.endsWith("resample_filter")) { assertThat(r.generator()).doesNotContainKey(k); continue; }
            assertThat(r.generator().get(k).shape()).as(k).isEqualTo(((INDArray) e.getValue()).shape());
            assertThat(v(r.generator().get(k))).as(k).isEqualTo(v((INDArray) e.getValue()));
            n++;
        }
        for (Map.Entry<?, ?> e : d.entrySet()) {
            String k = (String) e.getKey();
            if (k.endsWith("resample_filter")) continue;
            assertThat(v(r.discriminator().get(k))).as(k).isEqualTo(v((INDArray) e.getValue()));
            n++;
        }
        assertThat(n).isEqualTo(r.generator().size() + r.discriminator().size());
        assertThat(v(r.wAvg())).isEqualTo(v(Npy.read(dir.resolve("w_avg.npy"))));
        // safetensors output byte layout: G./D. prefixes
        assertThat(Safetensors.readHeader(tmp.resolve("a.safetensors")).entries().get(0).name()).startsWith("G.");
        // a native file converts to itself
        NativeModel c = Converter.convert(tmp.resolve("a.safetensors"), tmp.resolve("c.safetensors"), ConvertOptions.defaults());
        assertThat(c.generatorConfig()).isEqualTo(a.generatorConfig());
        assertThat(c.generator().keySet()).isEqualTo(a.generator().keySet());
    }

    @Test
    void truncatedInputFailsWithoutOutput() throws IOException {
        for (String rel : new String[]{"rosinality/ros_s32_c64/checkpoint.pt", "nvlabs/nv_s32_c64/G_ema.state_dict.pt"}) {
            Path src = Fixtures.path(rel);
            Path work = Files.createDirectories(tmp.resolve("t" + rel.hashCode()));
            Path cut = work.resolve("cut.pt");
            byte[] bytes = Files.readAllBytes(src);
            Files.write(cut, Arrays.copyOf(bytes, bytes.length - 4000));
            Path out = work.resolve("out.safetensors");
            assertThatThrownBy(() -> Converter.convert(cut, out, ConvertOptions.defaults()))
                    .isInstanceOf(IOException.class).hasMessageContaining(cut.toString());
            try (var s = Files.list(work)) {
                assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("cut.pt");
            }
        }
    }

    @Test
    void wrongShapeIsReportedWithFileTensorAndShapes() throws IOException {
        Map<?, ?> g = (Map<?, ?>) TorchFiles.load(Fixtures.path("nvlabs/nv_s32_c64/G_ema.state_dict.pt"));
        Map<String, INDArray> t = new LinkedHashMap<>();
        g.forEach((k, x) -> t.put((String) k, (INDArray) x));
        t.put("synthesis.b16.conv1.affine.weight", t.get("synthesis.b16.conv1.affine.weight").get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 60), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup());
        t.put("extra.thing", t.get("mapping.w_avg"));
        Path bad = tmp.resolve("bad_G.safetensors");
        Safetensors.write(bad, t, Map.of());
        Path out = tmp.resolve("o.safetensors");
        assertThatThrownBy(() -> Converter.convert(bad, out, ConvertOptions.defaults()))
                .hasMessageContaining("bad_G.safetensors").hasMessageContaining("synthesis.b16.conv1.affine.weight")
                .hasMessageContaining("[60, 64]").hasMessageContaining("[64, 64]");
        assertThat(Files.exists(out)).isFalse();
        t.remove("synthesis.b8.torgb.bias");
        t.put("synthesis.b16.conv1.affine.weight", ((INDArray) g.get("synthesis.b16.conv1.affine.weight")));
        Safetensors.write(bad, t, Map.of());
        assertThatThrownBy(() -> Converter.convert(bad, out, ConvertOptions.defaults()))
                .hasMessageContaining("bad_G.safetensors").hasMessageContaining("'synthesis.b8.torgb.bias' is missing");
    }
}
