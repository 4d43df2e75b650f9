package io.stylegan2.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Images that decoded to garbage or exhausted memory (issue "Reliability and security", findings 3
 * and 4), each made here by code: a PNG header declaring 20000 x 20000 pixels, a truncated JPEG, a
 * four-component (CMYK) JPEG. Each is refused naming the file and the reason; ordinary images still read.
 */
class ImageSafetyTest {
    @TempDir Path dir;

    private static void chunk(DataOutputStream o, String type, byte[] data) throws IOException {
        o.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        o.write(t);
        o.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        o.writeInt((int) crc.getValue());
    }

    @Test
    void aHeaderDeclaringAHugeImageIsRefusedBeforeDecoding() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        o.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(20000);
        h.writeInt(20000);
        h.write(new byte[]{1, 0, 0, 0, 0});    // 1-bit gray
        chunk(o, "IHDR", ihdr.toByteArray());
        chunk(o, "IEND", new byte[0]);
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, b.toByteArray());
        assertThatThrownBy(() -> Images.read(bomb, 3)).isInstanceOf(IOException.class)
                .hasMessageContainingAll(bomb.toString(), "20000x20000", "more than the limit of 67108864", Images.MAX_PIXELS_PROPERTY);

        Path ok = dir.resolve("ok.png");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", ok.toFile());
        assertThat(Images.read(ok, 3).shape()).containsExactly(1, 3, 30, 40);
        System.setProperty(Images.MAX_PIXELS_PROPERTY, "1000");
        try {
            assertThatThrownBy(() -> Images.read(ok, 3)).hasMessageContaining("40x30 pixels, more than the limit of 1000");
        } finally {
            System.clearProperty(Images.MAX_PIXELS_PROPERTY);
        }
    }

    @Test
    void aTruncatedJpegIsRefusedNotHalfDecoded() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 128);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", b);
        Path full = dir.resolve("full.jpg"), cut = dir.resolve("cut.jpg");
        Files.write(full, b.toByteArray());
        Files.write(cut, Arrays.copyOf(b.toByteArray(), b.size() * 6 / 10));
        assertThat(Images.read(full, 3).shape()).containsExactly(1, 3, 64, 64);
        assertThatThrownBy(() -> Images.read(cut, 3)).isInstanceOf(IOException.class).hasMessageContainingAll(cut.toString(), "truncated or corrupt");
    }

    @Test
    void aCmykJpegIsRefused() throws IOException {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int i = 0; i < 16 * 16 * 4; i++) r.getDataBuffer().setElem(i, (i * 7) & 0xff);
        Path cmyk = dir.resolve("cmyk.jpg");
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(cmyk.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(r, null, null), null);
        } finally {
            w.dispose();
        }
        assertThatThrownBy(() -> Images.read(cmyk, 3)).isInstanceOf(IOException.class).hasMessageContainingAll(cmyk.toString(), "CMYK");
    }
}
