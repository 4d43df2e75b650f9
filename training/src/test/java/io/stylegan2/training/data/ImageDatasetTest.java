package io.stylegan2.training.data;

import io.stylegan2.core.io.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Loading folders, zips and IDX files; fitting to the resolution; bad files skipped with a name. */
class ImageDatasetTest {

    @Test
    void idxPaddedKeepsEveryPixelAndReplicatesChannels(@TempDir Path tmp) throws IOException {
        byte[] raw = TestImages.ramps(3);
        Path f = TestImages.idx(tmp.resolve("train-images-idx3-ubyte.gz"), new int[]{3, 28, 28}, raw);
        ImageDataset d = ImageDataset.load(tmp, 32, 3, ImageDataset.Fit.PAD, 0);   // a folder with train-images-idx3-ubyte.gz
        assertEquals(3, d.size());
        assertEquals(f.toString(), d.source());
        float[] v = new float[3 * 32 * 32];
        d.copyTo(2, false, v, 0);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++) {
                    boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                    int expected = inside ? raw[(2 * 28 + y - 2) * 28 + x - 2] & 0xff : 0;
                    assertEquals(Images.toFloat(expected), v[(c * 32 + y) * 32 + x], 0f, "pixel c" + c + " y" + y + " x" + x);
                }
        float[] flipped = new float[3 * 32 * 32];
        d.copyTo(2, true, flipped, 0);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) assertEquals(v[y * 32 + x], flipped[y * 32 + 31 - x], 0f);
        assertEquals(2, ImageDataset.load(f, 32, 1, ImageDataset.Fit.PAD, 2).size(), "--limit");
    }

    @Test
    void idxResizedIsTheCropResizeOfTheImage(@TempDir Path tmp) throws IOException {
        byte[] raw = TestImages.ramps(1);
        Path f = TestImages.idx(tmp.resolve("x-images-idx3-ubyte"), new int[]{1, 28, 28}, raw);
        ImageDataset d = ImageDataset.load(f, 14, 1, ImageDataset.Fit.RESIZE, 0);
        float[] v = new float[14 * 14];
        d.copyTo(0, false, v, 0);
        // 2x2 area averages of the ramp, then 8-bit rounding
        for (int y = 0; y < 14; y++)
            for (int x = 0; x < 14; x++) {
                double mean = 0;
                for (int dy = 0; dy < 2; dy++) for (int dx = 0; dx < 2; dx++) mean += raw[(2 * y + dy) * 28 + 2 * x + dx] & 0xff;
                assertEquals(mean / 4, (v[y * 14 + x] + 1) * 127.5, 1.0, "y" + y + " x" + x);
            }
    }

    @Test
    void folderAndZipGiveTheSameImagesAndSkipBadFiles(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("imgs/sub"));
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, (i * 80 << 16) | (y * 16 << 8) | x * 16);
            javax.imageio.ImageIO.write(img, "png", dir.resolve("img" + i + ".png").toFile());
        }
        Files.writeString(dir.resolve("broken.png"), "not a png");
        Files.writeString(dir.resolve("notes.txt"), "ignored: not an image name");
        ImageDataset folder = ImageDataset.load(tmp.resolve("imgs"), 16, 3, ImageDataset.Fit.RESIZE, 0);
        assertEquals(3, folder.size());
        assertEquals(1, folder.skipped().size());
        assertTrue(folder.skipped().get(0).endsWith("broken.png"), folder.skipped().toString());

        Path zip = tmp.resolve("imgs.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (String n : new String[]{"broken.png", "img0.png", "img1.png", "img2.png"}) {
                z.putNextEntry(new ZipEntry("sub/" + n));
                z.write(Files.readAllBytes(dir.resolve(n)));
                z.closeEntry();
            }
        }
        ImageDataset zipped = ImageDataset.load(zip, 16, 3, ImageDataset.Fit.RESIZE, 0);
        assertEquals(3, zipped.size());
        assertEquals(1, zipped.skipped().size());
        float[] a = new float[3 * 16 * 16], b = new float[3 * 16 * 16];
        for (int i = 0; i < 3; i++) {
            folder.copyTo(i, false, a, 0);
            zipped.copyTo(i, false, b, 0);
            assertArrayEquals(a, b, 0f, "image " + i);
        }
        assertEquals(Images.toFloat(160), a[0], 0f, "red of img2 at (0, 0): images are in name order");
    }

    @Test
    void errorsNameTheData(@TempDir Path tmp) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> ImageDataset.load(tmp.resolve("nope"), 32, 1, ImageDataset.Fit.PAD, 0));
        assertTrue(missing.getMessage().contains("nope"));
        IOException empty = assertThrows(IOException.class, () -> ImageDataset.load(tmp, 32, 1, ImageDataset.Fit.PAD, 0));
        assertTrue(empty.getMessage().contains("no image files"), empty.getMessage());
        Path labels = TestImages.idx(tmp.resolve("l-images-idx3-ubyte"), new int[]{4}, new byte[4]);
        IOException notImages = assertThrows(IOException.class, () -> ImageDataset.load(labels, 32, 1, ImageDataset.Fit.PAD, 0));
        assertTrue(notImages.getMessage().contains("[N, H, W]"), notImages.getMessage());
        Path other = Files.writeString(tmp.resolve("data.bin"), "x");
        assertTrue(assertThrows(IOException.class, () -> ImageDataset.load(other, 32, 1, ImageDataset.Fit.PAD, 0)).getMessage().contains("data.bin"));
    }
}
