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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LPIPS against numbers made by the official code with {@code src/test/python/lpips_reference.py}
 * (test resources {@code lpips/}): LPIPS-VGG on a synthetic VGG16 trunk reproduced here bit for bit,
 * the {@code spatial=True} maps of all three nets, and LPIPS-squeeze on a 50x50 crop (padded
 * ceil-mode pools).
 */
class LpipsReferenceTest {
    private static INDArray img0, img1;
    private static JsonNode ref;

    @BeforeAll
    static void setUp() throws IOException {
        Engine.get();
        img0 = Npy.read(Fixtures.path("lpips/lpips_img0.npy"));
        img1 = Npy.read(Fixtures.path("lpips/lpips_img1.npy"));
        ref = new ObjectMapper().readTree(resource("lpips_reference.json").toFile());
    }

    static Path resource(String name) {
        try {
            return Path.of(LpipsReferenceTest.class.getResource("/lpips/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void vggOnSyntheticTrunk() throws IOException {
        Map<String, INDArray> t = syntheticVgg();
        Map<?, ?> lins = (Map<?, ?>) TorchFiles.load(Fixtures.path("lpips/vgg.pth"));
        for (int k = 0; k < 5; k++) t.put(LpipsNet.linName(k), (INDArray) lins.get(LpipsNet.linName(k)));
        try (Lpips lpips = Lpips.create(LpipsNet.VGG, t)) {
            JsonNode r = ref.get("nets").get("vgg");
            compare("vgg", lpips.distance(img0, img1), lpips.perLayer(img0, img1, false), r);
            compareMap("vgg", lpips, r);
        }
    }

    @Test
    void alexAndSqueezeSpatialMapsAndSqueezeCeilModeCrop() throws IOException {
        try (Lpips alex = LpipsConverter.read(LpipsNet.ALEX, Fixtures.path("lpips/backbone_alexnet_features.pt"), Fixtures.path("lpips/alex.pth"));
             Lpips squeeze = LpipsConverter.read(LpipsNet.SQUEEZE, Fixtures.path("lpips/backbone_squeezenet1_1_features.pt"), Fixtures.path("lpips/squeeze.pth"))) {
            compareMap("alex", alex, ref.get("nets").get("alex"));
            compareMap("squeeze", squeeze, ref.get("nets").get("squeeze"));
            INDArray c0 = img0.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 50), NDArrayIndex.interval(0, 50)).dup('c');
            INDArray c1 = img1.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 50), NDArrayIndex.interval(0, 50)).dup('c');
            compare("squeeze 50x50", squeeze.distance(c0, c1), squeeze.perLayer(c0, c1, false), ref.get("nets").get("squeeze").get("crop50"));
        }
    }

    private static void compare(String what, INDArray d, INDArray per, JsonNode r) {
        double maxD = 0, maxL = 0;
        for (int i = 0; i < d.length(); i++) {
            maxD = Math.max(maxD, Math.abs(d.getDouble(i) - r.get("distance").get(i).asDouble()));
            for (int k = 0; k < per.size(1); k++)
                maxL = Math.max(maxL, Math.abs(per.getDouble(i, k) - r.get("per_layer").get(i).get(k).asDouble()));
        }
        System.out.printf("LPIPS-%s parity: max |distance diff| = %.3g, max |per-layer diff| = %.3g%n", what, maxD, maxL);
        assertThat(maxD).as(what + " distance").isLessThanOrEqualTo(1e-5);
        assertThat(maxL).as(what + " per-layer").isLessThanOrEqualTo(1e-5);
    }

    private static void compareMap(String net, Lpips lpips, JsonNode r) throws IOException {
        INDArray expected = Npy.read(resource(r.get("spatial_file").asText()));
        INDArray got = lpips.spatialMap(img0, img1, false);
        assertThat(got.shape()).containsExactly(expected.shape());
        double err = got.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        System.out.printf("LPIPS-%s spatial map parity: max |diff| = %.3g (max value %.3g)%n", net, err, expected.maxNumber().doubleValue());
        assertThat(err).as(net + " spatial map").isLessThanOrEqualTo(1e-5);
    }

    /** The synthetic VGG16 trunk of lpips_reference.py (murmur3 fmix32 of the flat index), bit for bit. */
    static Map<String, INDArray> syntheticVgg() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        int j = 0;
        for (Map.Entry<String, long[]> e : LpipsNet.VGG.expectedShapes().entrySet()) {
            if (!e.getKey().startsWith("features.") || !e.getKey().endsWith(".weight")) continue;
            long[] ws = e.getValue();
            long fanIn = ws[1] * ws[2] * ws[3];
            String prefix = e.getKey().substring(0, e.getKey().length() - ".weight".length());
            m.put(prefix + ".weight", synthetic(ws, 2 * j, fanIn, false));
            m.put(prefix + ".bias", synthetic(new long[] {ws[0]}, 2 * j + 1, fanIn, true));
            j++;
        }
        return m;
    }

    private static INDArray synthetic(long[] shape, int t, long fanIn, boolean bias) {
        final long mask = 0xFFFFFFFFL;
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        long base = (0x9E3779B9L * (t + 1)) & mask;
        double scale = bias ? 0.1 : 2.0 * Math.sqrt(6.0 / fanIn);
        for (int i = 0; i < n; i++) {
            long x = (i + base) & mask;
            x ^= x >>> 16;
            x = (x * 0x85EBCA6BL) & mask;
            x ^= x >>> 13;
            x = (x * 0xC2B2AE35L) & mask;
            x ^= x >>> 16;
            double u = x / 4294967296.0 - 0.5;
            v[i] = (float) (u * scale);
        }
        return Nd4j.create(v, shape, 'c');
    }
}
