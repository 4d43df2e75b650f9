package io.stylegan2.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** The IDX reader: plain and gzip files, and clear errors for corrupt or hostile headers. */
class IdxTest {

    static byte[] idx(int magic, int[] shape, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeInt(magic);
            for (int s : shape) d.writeInt(s);
            d.write(data);
        }
        return b.toByteArray();
    }

    @Test
    void readsPlainAndGzip(@TempDir Path tmp) throws IOException {
        byte[] data = new byte[2 * 3 * 4];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 11);
        byte[] file = idx(0x0803, new int[]{2, 3, 4}, data);
        Path plain = Files.write(tmp.resolve("a-images-idx3-ubyte"), file);
        Path gz = tmp.resolve("a-images-idx3-ubyte.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(file);
        }
        for (Path p : new Path[]{plain, gz}) {
            Idx.UByteArray a = Idx.read(p);
            assertArrayEquals(new int[]{2, 3, 4}, a.shape());
            assertEquals(2, a.count());
            assertEquals(12, a.itemSize());
            assertEquals(253, a.get(23), "unsigned: 23 * 11 = 253");
        }
    }

    @Test
    void corruptFilesGiveNamedErrors() {
        assertError(new byte[]{0, 0}, "shorter than its 4-byte magic");
        assertError(bytes(0x01000803, new int[]{1, 1, 1}, new byte[1]), "not an IDX file");
        assertError(bytes(0x0D01, new int[]{4}, new byte[16]), "element type 0xd");
        assertError(bytes(0x0805, new int[]{1, 1, 1, 1, 1}, new byte[1]), "5 dimensions");
        assertError(bytes(0x0802, new int[]{2, 0}, new byte[0]), "size 1 is 0");
        assertError(bytes(0x0803, new int[]{60000, 28, 28}, new byte[100]), "truncated IDX file");
        assertError(bytes(0x0803, new int[]{65536, 65536, 65536}, new byte[0]), "declares more than");
        assertError(new byte[]{0, 0, 8, 3, 0, 0}, "truncated IDX header");
    }

    private static byte[] bytes(int magic, int[] shape, byte[] data) {
        try {
            return idx(magic, shape, data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertError(byte[] file, String expected) {
        IOException e = assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(file), "bad.idx"));
        assertTrue(e.getMessage().startsWith("bad.idx: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " should contain '" + expected + "'");
    }
}
