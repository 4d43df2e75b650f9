package io.stylegan2.converter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.SameDiffs;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * LPIPS v0.1 against richzhang/PerceptualSimilarity on the fixture trunks (seeded random-init
 * torchvision features) and the official lin heads: distances and per-layer terms to 1e-5 absolute.
 */
class LpipsParityTest {
    private static INDArray img0, img1;
    private static JsonNode ref;

    @BeforeAll
    static void setUp() throws IOException {
        SameDiffs.quiet();
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
