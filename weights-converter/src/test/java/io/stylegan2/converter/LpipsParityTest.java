package io.stylegan2.converter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * LPIPS v0.1 against richzhang/PerceptualSimilarity on the fixture trunks (seeded random-init
 * torchvision features) and the official lin heads: distances and per-layer terms to 1e-5 absolute.
 */
class LpipsParityTest {
    private static INDArray img0, img1;
    private static JsonNode ref;

    @BeforeAll
    static void setUp() throws IOException {
        Engine.get();
        img0 = Npy.read(Fixtures.path("lpips/lpips_img0.npy"));
        img1 = Npy.read(Fixtures.path("lpips/lpips_img1.npy"));
        ref = new ObjectMapper().readTree(Fixtures.path("lpips/lpips_distances.json").toFile());
    }

    @Test
    void alexMatchesReference(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("lpips-alex.safetensors");
        LpipsConverter.convert(LpipsNet.ALEX, Fixtures.path("lpips/backbone_alexnet_features.pt"), Fixtures.path("lpips/alex.pth"), out);
        try (Lpips lpips = Lpips.load(out)) {
            assertThat(lpips.net()).isEqualTo(LpipsNet.ALEX);
            check(lpips, "alex");
        }
    }

    @Test
    void squeezeMatchesReference() throws IOException {
        try (Lpips lpips = LpipsConverter.read(LpipsNet.SQUEEZE, Fixtures.path("lpips/backbone_squeezenet1_1_features.pt"), Fixtures.path("lpips/squeeze.pth"))) {
            check(lpips, "squeeze");
        }
    }

    @Test
    void wrongFilesGiveClearErrors(@TempDir Path dir) {
        Path out = dir.resolve("x.safetensors");
        assertThatThrownBy(() -> LpipsConverter.convert(LpipsNet.SQUEEZE, Fixtures.path("lpips/backbone_alexnet_features.pt"), Fixtures.path("lpips/squeeze.pth"), out))
                .isInstanceOf(IOException.class).hasMessageContaining("not part of the torchvision squeeze trunk");
        assertThatThrownBy(() -> LpipsConverter.convert(LpipsNet.ALEX, Fixtures.path("lpips/backbone_alexnet_features.pt"), Fixtures.path("lpips/squeeze.pth"), out))
                .isInstanceOf(IOException.class).hasMessageContaining("lin");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void acceptsFullTorchvisionAndLpipsModuleStateDicts() throws IOException {
        Map<String, INDArray> features = stateDict(Fixtures.path("lpips/backbone_squeezenet1_1_features.pt"));
        Map<String, INDArray> lin = stateDict(Fixtures.path("lpips/squeeze.pth"));
        // a whole torchvision checkpoint: features.* + classifier.* (ignored)
        Map<String, INDArray> full = new LinkedHashMap<>(features);
        full.put("classifier.1.weight", Nd4j.zeros(DataType.FLOAT, 1000, 512, 1, 1));
        full.put("classifier.1.bias", Nd4j.zeros(DataType.FLOAT, 1000));
        // an LPIPS module state dict: net.slice<k>.<idx>.*, lins.<k>.model.1.weight
        int[] sliceOf = {1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7};
        Map<String, INDArray> module = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : features.entrySet()) {
            String rest = e.getKey().substring("features.".length());
            int idx = Integer.parseInt(rest.substring(0, rest.indexOf('.')));
            module.put("net.slice" + sliceOf[idx] + "." + rest, e.getValue());
        }
        Map<String, INDArray> lins = new LinkedHashMap<>();
        for (int k = 0; k < 7; k++) lins.put("lins." + k + ".model.1.weight", lin.get(LpipsNet.linName(k)));
        INDArray x = img0.get(NDArrayIndex.interval(0, 2)).dup('c'), y = img1.get(NDArrayIndex.interval(0, 2)).dup('c');
        try (Lpips a = LpipsConverter.fromStateDicts(LpipsNet.SQUEEZE, full, lin, "full", "lin");
             Lpips b = LpipsConverter.fromStateDicts(LpipsNet.SQUEEZE, module, lins, "module", "lins")) {
            assertThat(b.distance(x, y)).isEqualTo(a.distance(x, y));
            JsonNode r = ref.get("nets").get("squeeze").get("distance");
            assertThat(a.distance(x, y).getDouble(1)).isCloseTo(r.get(1).asDouble(), within(1e-5));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, INDArray> stateDict(Path p) throws IOException {
        return (Map<String, INDArray>) (Map<?, ?>) TorchFiles.load(p);
    }

    private static void check(Lpips lpips, String net) {
        JsonNode r = ref.get("nets").get(net);
        INDArray d = lpips.distance(img0, img1);
        INDArray per = lpips.perLayer(img0, img1, false);
        int n = (int) img0.size(0), layers = lpips.net().numLayers();
        assertThat(d.shape()).containsExactly(n);
        assertThat(per.shape()).containsExactly(n, layers);
        double maxD = 0, maxL = 0;
        for (int i = 0; i < n; i++) {
            maxD = Math.max(maxD, Math.abs(d.getDouble(i) - r.get("distance").get(i).asDouble()));
            for (int k = 0; k < layers; k++)
                maxL = Math.max(maxL, Math.abs(per.getDouble(i, k) - r.get("per_layer").get(i).get(k).asDouble()));
        }
        System.out.printf("LPIPS-%s parity: max |distance diff| = %.3g, max |per-layer diff| = %.3g%n", net, maxD, maxL);
        assertThat(maxD).isLessThanOrEqualTo(1e-5);
        assertThat(maxL).isLessThanOrEqualTo(1e-5);
        assertThat(d.getDouble(n - 1)).isEqualTo(0.0); // identical pair
    }
}
