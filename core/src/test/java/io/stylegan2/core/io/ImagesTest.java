package io.stylegan2.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ImagesTest {
    @TempDir Path dir;

    /** A deterministic [1, C, H, W] image whose values are exact pixel levels p/127.5 - 1. */
    private static INDArray synthetic(int c, int h, int w) {
        float[] v = new float[c * h * w];
        for (int i = 0; i < v.length; i++) v[i] = Images.toFloat((i * 37 + 11) % 256);
        return Nd4j.create(v, new long[]{1, c, h, w}, DataType.FLOAT);
    }

    @Test
    void conversionRoundingMatchesNvlabsFormula() {
        // uint8(clamp(x * 127.5 + 128, 0, 255)), truncating
        assertThat(Images.toByte(0f)).isEqualTo(128);
        assertThat(Images.toByte(-1f)).isEqualTo(0);          // 0.5 -> 0
        assertThat(Images.toByte(1f)).isEqualTo(255);         // 255.5 -> 255
        assertThat(Images.toByte(-0.5f)).isEqualTo(64);       // 64.25
        assertThat(Images.toByte(0.5f)).isEqualTo(191);       // 191.75
        assertThat(Images.toByte(-0.0039f)).isEqualTo(127);   // 127.50275
        assertThat(Images.toByte(-1.01f)).isEqualTo(0);
        assertThat(Images.toByte(7f)).isEqualTo(255);
        assertThat(Images.toByte(Float.NaN)).isEqualTo(0);
        for (int p = 0; p < 256; p++) assertThat(Images.toByte(Images.toFloat(p))).as("p=%d", p).isEqualTo(p);
    }

    @Test
    void rgbRoundTripsExactlyThroughPng() throws IOException {
        INDArray img = synthetic(3, 5, 7);
        Path f = dir.resolve("rgb.png");
        Images.writePng(img, f);
        INDArray back = Images.read(f, 3);
        assertThat(back.shape()).containsExactly(1, 3, 5, 7);
        assertThat(back.equals(img)).isTrue();
        assertThat(leftovers()).containsExactly("rgb.png");
    }

    @Test
    void grayRoundTripsExactlyThroughPng() throws IOException {
        INDArray img = synthetic(1, 6, 4);
        Path f = dir.resolve("gray.png");
        Images.writePng(img.reshape(1, 6, 4), f);
        BufferedImage raw = ImageIO.read(f.toFile());
        assertThat(raw.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        assertThat(raw.getRaster().getSample(1, 0, 0)).isEqualTo((1 * 37 + 11) % 256);
        assertThat(Images.read(f, 1).equals(img)).isTrue();
        // gray -> RGB replicates
        INDArray rgb = Images.read(f, 3);
        assertThat(rgb.shape()).containsExactly(1, 3, 6, 4);
        assertThat(rgb.getDouble(0, 2, 3, 1)).isEqualTo(img.getDouble(0, 0, 3, 1));
    }

    @Test
    void rgbToGrayUsesPilLuma() {
        BufferedImage b = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, (200 << 16) | (100 << 8) | 50);
        INDArray g = Images.fromBufferedImage(b, 1);
        int expected = (200 * 299 + 100 * 587 + 50 * 114 + 500) / 1000; // 124
        assertThat(g.getFloat(0, 0, 0, 0)).isEqualTo(Images.toFloat(expected));
    }

    @Test
    void gridHasNoPaddingAndFillsBlack() throws IOException {
        INDArray batch = Nd4j.create(DataType.FLOAT, 3, 1, 2, 2);
        for (int i = 0; i < 3; i++) batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(i * 0.25);
        INDArray g = Images.grid(batch, 2);
        assertThat(g.shape()).containsExactly(1, 4, 4);
        assertThat(g.getDouble(0, 0, 0)).isEqualTo(0.0);
        assertThat(g.getDouble(0, 1, 3)).isEqualTo(0.25);
        assertThat(g.getDouble(0, 3, 1)).isEqualTo(0.5);
        assertThat(g.getDouble(0, 3, 3)).isEqualTo(-1.0);
        Path f = dir.resolve("grid.png");
        Images.writeGridPng(batch, 2, f);
        assertThat(ImageIO.read(f.toFile()).getWidth()).isEqualTo(4);
        Path f2 = dir.resolve("batch.png"); // [N, C, H, W] with N > 1: grid of ceil(sqrt(N)) columns
        Images.writePng(batch, f2);
        assertThat(Images.read(f2, 1).equals(Images.read(f, 1))).isTrue();
    }

    @Test
    void gridWithGuttersKeepsCellsApart() {
        INDArray batch = Nd4j.create(DataType.FLOAT, 3, 1, 2, 2);
        for (int i = 0; i < 3; i++) batch.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(i * 0.25);
        INDArray g = Images.grid(batch, 2, 1);
        assertThat(g.shape()).containsExactly(1, 5, 5);
        assertThat(g.getDouble(0, 0, 1)).isEqualTo(0.0);
        assertThat(g.getDouble(0, 0, 2)).isEqualTo(1.0);          // the gutter column
        assertThat(g.getDouble(0, 2, 0)).isEqualTo(1.0);          // the gutter row
        assertThat(g.getDouble(0, 0, 3)).isEqualTo(0.25);
        assertThat(g.getDouble(0, 3, 1)).isEqualTo(0.5);
        assertThat(g.getDouble(0, 4, 4)).isEqualTo(-1.0);         // the empty cell stays black
        assertThat(Images.grid(batch, 2, 0)).isEqualTo(Images.grid(batch, 2));
    }

    @Test
    void centerCropAreaResize() {
        // 1x2x4 image: crop columns 1..2 of [[0,1,2,3],[4,5,6,7]] -> [[1,2],[5,6]] -> 1x1 mean 3.5
        INDArray img = Nd4j.create(new float[]{0, 1, 2, 3, 4, 5, 6, 7}, new long[]{1, 1, 2, 4}, 'c');
        INDArray r = Images.centerCropResize(img, 1);
        assertThat(r.shape()).containsExactly(1, 1, 1, 1);
        assertThat(r.getDouble(0, 0, 0, 0)).isCloseTo(3.5, within(1e-6));
        // 3 -> 2: weights [1, .5] / 1.5 and [.5, 1] / 1.5
        INDArray row = Nd4j.create(new float[]{0, 3, 6, 0, 3, 6, 0, 3, 6}, new long[]{1, 1, 3, 3}, 'c');
        INDArray r2 = Images.centerCropResize(row, 2);
        assertThat(r2.getDouble(0, 0, 0, 0)).isCloseTo(1.0, within(1e-6));
        assertThat(r2.getDouble(0, 0, 1, 1)).isCloseTo(5.0, within(1e-6));
        // identity at the same size
        INDArray same = synthetic(3, 4, 4);
        assertThat(Images.centerCropResize(same, 4).equals(same)).isTrue();
    }

    @Test
    void clearErrors() throws IOException {
        Path bad = dir.resolve("bad.png");
        Files.writeString(bad, "not an image");
        assertThatThrownBy(() -> Images.read(bad, 3)).hasMessageContaining("bad.png");
        assertThatThrownBy(() -> Images.read(bad, 2)).hasMessageContaining("channels");
        assertThatThrownBy(() -> Images.writePng(Nd4j.zeros(2, 2, 2), dir.resolve("x.png"))).hasMessageContaining("channels");
        assertThat(leftovers()).containsExactly("bad.png");
    }

    private java.util.List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
