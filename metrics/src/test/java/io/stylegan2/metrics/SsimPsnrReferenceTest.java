package io.stylegan2.metrics;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.*;

/** MSE, PSNR and SSIM against skimage 0.19.3 (fixture made by src/test/python/ssim_psnr_reference.py). */
class SsimPsnrReferenceTest {
    static JsonNode ref;
    static INDArray img0, img1, gray;

    @BeforeAll
    static void load() throws Exception {
        JsonMapper m = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        try (InputStream in = SsimPsnrReferenceTest.class.getResourceAsStream("/metrics/ssim_psnr_reference.json")) {
            ref = m.readTree(in);
        }
        img0 = Npy.read(Fixtures.path("lpips/lpips_img0.npy"));
        img1 = Npy.read(Fixtures.path("lpips/lpips_img1.npy"));
        gray = Npy.read(Paths.get(SsimPsnrReferenceTest.class.getResource("/metrics/gray_pair.npy").toURI()));
    }

    static void checkRel(String what, double actual, double expected, double rtol) {
        if (Double.isInfinite(expected)) { assertEquals(expected, actual, what); return; }
        assertTrue(Math.abs(actual - expected) <= rtol * Math.abs(expected), what + ": " + actual + " vs " + expected);
    }

    @Test
    void rgbPairsInSignedUnitConvention() {
        double[] ssim = Ssim.perImage(img0, img1, PixelRange.SIGNED_UNIT.dataRange());
        Psnr.Result psnr = Psnr.batch(img0, img1, PixelRange.SIGNED_UNIT);
        double[] mse = Mse.perImage(img0, img1);
        double maxSsim = 0, maxPsnrRel = 0;
        for (int i = 0; i < 7; i++) {
            JsonNode p = ref.get("pairs").get(i);
            assertEquals("rgb_" + i, p.get("name").asText());
            double eS = p.get("ssim").asDouble(), eP = p.get("psnr").asDouble();
            assertEquals(eS, ssim[i], 1e-6, "ssim " + i);
            checkRel("psnr " + i, psnr.perImage()[i], eP, 1e-6);
            checkRel("mse " + i, mse[i], p.get("mse").asDouble(), 1e-9);
            maxSsim = Math.max(maxSsim, Math.abs(ssim[i] - eS));
            if (!Double.isInfinite(eP)) maxPsnrRel = Math.max(maxPsnrRel, Math.abs(psnr.perImage()[i] - eP) / eP);
        }
        assertEquals(Double.POSITIVE_INFINITY, psnr.perImage()[6], "identical images -> +inf");
        assertEquals(1.0, ssim[6], 0.0);
        System.out.printf("skimage agreement (rgb): max |dSSIM| %.3e, max rel dPSNR %.3e%n", maxSsim, maxPsnrRel);
    }

    @Test
    void grayPairInByteConvention() {
        JsonNode p = ref.get("pairs").get(7);
        assertEquals("gray_camera", p.get("name").asText());
        INDArray a = gray.slice(0), b = gray.slice(1);   // [1,64,80]
        double ssim = Ssim.image(a, b, PixelRange.BYTE);
        double psnr = Psnr.image(a, b, PixelRange.BYTE);
        System.out.printf("skimage agreement (gray): |dSSIM| %.3e, rel dPSNR %.3e%n",
                Math.abs(ssim - p.get("ssim").asDouble()), Math.abs(psnr - p.get("psnr").asDouble()) / p.get("psnr").asDouble());
        assertEquals(p.get("ssim").asDouble(), ssim, 1e-6);
        checkRel("psnr", psnr, p.get("psnr").asDouble(), 1e-6);
        checkRel("mse", Mse.image(a, b), p.get("mse").asDouble(), 1e-9);
    }

    @Test
    void conventionsAgree() {
        INDArray a = img0.slice(1), b = img1.slice(1);
        INDArray a255 = PixelRange.SIGNED_UNIT.convert(a, PixelRange.BYTE), b255 = PixelRange.SIGNED_UNIT.convert(b, PixelRange.BYTE);
        assertEquals(Psnr.image(a, b, PixelRange.SIGNED_UNIT), Psnr.image(a255, b255, PixelRange.BYTE), 1e-9);
        // SSIM's luminance term is not shift-invariant: [-1,1] with range 2 != [0,255] with range 255
        // (= [0,1] with range 1). Documented in Ssim; the value depends on the convention.
        assertEquals(Ssim.image(a.add(1).divi(2), b.add(1).divi(2), 1.0), Ssim.image(a255, b255, PixelRange.BYTE), 1e-7); // float32 rounding of the two conversions
        assertNotEquals(Ssim.image(a, b, PixelRange.SIGNED_UNIT), Ssim.image(a255, b255, PixelRange.BYTE), 1e-3);
        assertEquals(Mse.image(a255, b255), PixelRange.SIGNED_UNIT.convertMse(Mse.image(a, b), PixelRange.BYTE), 1e-6);
    }

    @Test
    void tooSmallForTheWindowIsRejected() {
        INDArray a = img0.slice(0).get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10), org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertThrows(IllegalArgumentException.class, () -> Ssim.image(a, a, 2.0));
    }
}
