package io.stylegan2.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.AllClose;
import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Inception-v3 pool3 features vs pytorch-fid / torchvision (float64) with deterministic weights. */
class InceptionV3FeaturesTest {
    static JsonNode ref;
    static Map<String, INDArray> weights;
    static INDArray images;

    @BeforeAll
    static void load() throws Exception {
        ref = new ObjectMapper().readTree(InceptionV3FeaturesTest.class.getResourceAsStream("/metrics/inception_reference.json"));
        weights = InceptionV3Weights.deterministic();
        images = Npy.read(Fixtures.path("lpips/lpips_img0.npy")).get(NDArrayIndex.interval(0, 2), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    static INDArray expected(String key) {
        JsonNode a = ref.get(key);
        double[][] d = new double[a.size()][];
        for (int i = 0; i < d.length; i++) {
            d[i] = new double[a.get(i).size()];
            for (int j = 0; j < d[i].length; j++) d[i][j] = a.get(i).get(j).asDouble();
        }
        return Nd4j.create(d).castTo(DataType.DOUBLE);
    }

    void check(InceptionV3Features net, String key, String name) {
        assertEquals(name, net.name());
        assertEquals(2048, net.featureDim());
        long t0 = System.nanoTime();
        INDArray f = net.features(images).castTo(DataType.DOUBLE);
        INDArray e = expected(key);
        System.out.printf("%s: max |diff| %.3e, max |expected| %.3e, rel to scale %.3e (%.0f ms)%n", name,
                AllClose.maxAbsDiff(f, e), e.amaxNumber().doubleValue(), AllClose.relativeMaxError(f, e), (System.nanoTime() - t0) / 1e6);
        assertTrue(AllClose.relativeMaxError(f, e) < 1e-4, name + " rel error " + AllClose.relativeMaxError(f, e));
    }

    @Test
    void fidVariantMatchesPytorchFid(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        // through the file format InceptionConverter writes (conv/BN tensors + inception_variant metadata)
        java.nio.file.Path f = tmp.resolve("inception.safetensors");
        io.stylegan2.core.io.Safetensors.write(f, weights, Map.of(InceptionV3Features.VARIANT_KEY, "fid"));
        InceptionV3Features net = InceptionV3Features.load(f);
        assertEquals(InceptionV3Features.Variant.FID, net.variant());
        check(net, "fid", InceptionV3Features.FID_NAME);
    }

    @Test
    void torchvisionVariantMatchesTorchvision() {
        check(InceptionV3Features.fromStateDict(weights, InceptionV3Features.Variant.TORCHVISION), "torchvision_features", "inception-v3-torchvision");
    }

    @Test
    void parameterListCoversTheNetwork() {
        Map<String, long[]> s = InceptionV3Features.parameterShapes();
        assertEquals(94 * 5, s.size(), "94 BasicConv2d, 5 tensors each");
        long n = s.values().stream().mapToLong(a -> { long p = 1; for (long x : a) p *= x; return p; }).sum();
        System.out.println("Inception-v3 conv+BN parameters: " + n);
    }

    @Test
    void resizeIsIdentityAt299AndAveragesOnDownscale() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 299, 299);
        assertSame(x, InceptionV3Features.resizeBilinear(x, 299, 299));
        INDArray y = Nd4j.create(new float[]{1, 2, 3, 4}, new long[]{1, 1, 2, 2}, 'c');
        assertEquals(2.5, InceptionV3Features.resizeBilinear(y, 1, 1).getDouble(0), 1e-6);
    }
}
