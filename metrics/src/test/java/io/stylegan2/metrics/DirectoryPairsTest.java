package io.stylegan2.metrics;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class DirectoryPairsTest {
    @TempDir Path tmp;

    @Test
    void pairsByStemAndComputesMetrics() throws IOException {
        INDArray x0 = Npy.read(Fixtures.path("lpips/lpips_img0.npy")), x1 = Npy.read(Fixtures.path("lpips/lpips_img1.npy"));
        Path a = Files.createDirectories(tmp.resolve("a")), b = Files.createDirectories(tmp.resolve("b"));
        Images.writePng(x0.slice(0), a.resolve("p0.png"));
        Images.writePng(x1.slice(0), b.resolve("p0.png"));
        Images.writePng(x0.slice(1), a.resolve("p1.png"));
        Images.writePng(x0.slice(1), b.resolve("p1.bmp"));
        Images.writePng(x0.slice(2), a.resolve("only_a.png"));
        Files.writeString(b.resolve("notes.txt"), "ignored");
        DirectoryPairs d = DirectoryPairs.of(a, b);
        assertEquals(List.of("p0", "p1"), d.names());
        assertEquals(List.of("only_a"), d.onlyInA());
        assertTrue(d.onlyInB().isEmpty());
        List<ImageMetrics> m = d.metrics(3, PixelRange.BYTE, null);
        assertEquals("p0", m.get(0).name());
        assertTrue(m.get(0).psnr() > 15 && m.get(0).psnr() < 40, "" + m.get(0));
        assertEquals(Double.POSITIVE_INFINITY, m.get(1).psnr());
        assertEquals(1.0, m.get(1).ssim(), 1e-12);
        INDArray[] batch = d.load(0, 2, 3);
        assertArrayEquals(new long[]{2, 3, 64, 64}, batch[0].shape());

        Images.writePng(x0.slice(3), b.resolve("p0.jpg"));
        IOException e = assertThrows(IOException.class, () -> DirectoryPairs.of(a, b));
        assertTrue(e.getMessage().contains("p0"), e.getMessage());
    }
}
