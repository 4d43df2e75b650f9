package io.stylegan2.training.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests. */
public final class TestImages {
    private TestImages() {}

    /** An unsigned-byte IDX file ({@code .gz} compressed when the name says so). */
    public static Path idx(Path file, int[] shape, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(bytes)) {
            d.writeInt(0x0800 | shape.length);
            for (int s : shape) d.writeInt(s);
            d.write(data);
        }
        try (OutputStream o = file.toString().endsWith(".gz") ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            o.write(bytes.toByteArray());
        }
        return file;
    }

    /** {@code n} 28x28 gray images: image {@code i} has value {@code (i * 40 + y * 3 + x) % 256} at (y, x). */
    public static byte[] ramps(int n) {
        byte[] b = new byte[n * 28 * 28];
        for (int i = 0; i < n; i++)
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) b[(i * 28 + y) * 28 + x] = (byte) ((i * 40 + y * 3 + x) % 256);
        return b;
    }
}
