package io.stylegan2.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImageMetricsTest {
    @Test
    void computesInTheRequestedConventionAndPlugsAPerceptualDistance() {
        Nd4j.getRandom().setSeed(7);
        INDArray a = Nd4j.rand(DataType.FLOAT, 3, 3, 16, 16).muli(2).subi(1);
        INDArray b = a.dup();
        b.slice(1).addi(0.1);
        io.stylegan2.losses.PerceptualLoss fake = new io.stylegan2.losses.PerceptualLoss() {
            public String name() { return "fake"; }
            public INDArray distance(INDArray x, INDArray y) { return Nd4j.createFromArray(Mse.perImage(x, y)); }
            public org.nd4j.autodiff.samediff.SDVariable distance(org.nd4j.autodiff.samediff.SDVariable x, org.nd4j.autodiff.samediff.SDVariable y, int h, int w) {
                throw new UnsupportedOperationException();
            }
        };
        List<ImageMetrics> m = ImageMetrics.compute(a, b, List.of("p0", "p1", "p2"), PixelRange.BYTE, fake);
        assertEquals(Double.POSITIVE_INFINITY, m.get(0).psnr());
        assertEquals(1.0, m.get(0).ssim(), 1e-12);
        assertEquals(0.01 * 127.5 * 127.5, m.get(1).mse(), 1e-3);
        assertEquals(20 * Math.log10(255 / (0.1 * 127.5)), m.get(1).psnr(), 1e-5);
        assertEquals(0.01, m.get(1).perceptual().getAsDouble(), 1e-6);
        assertEquals("p1", m.get(1).name());
        ImageMetrics.Summary s = ImageMetrics.summarize(m);
        assertEquals(3, s.count());
        assertEquals(Double.POSITIVE_INFINITY, s.psnr());
        assertEquals("fake", s.perceptualName());
        List<ImageMetrics> none = ImageMetrics.compute(a, b, null, PixelRange.SIGNED_UNIT, null);
        assertTrue(none.get(1).perceptual().isEmpty());
        assertEquals(0.01, none.get(1).mse(), 1e-6);
        assertEquals(m.get(1).psnr(), none.get(1).psnr(), 1e-5); // float32 conversion
    }
}
