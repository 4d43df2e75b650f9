package io.stylegan2.core.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format (MNIST, Fashion-MNIST): big-endian magic {@code 0x00 0x00 type ndim},
 * {@code ndim} big-endian int32 sizes, then the data. Only unsigned bytes ({@code type 0x08}) are
 * read, as the image and label files of those datasets hold. Files ending in {@code .gz} are
 * decompressed on the fly. Sizes are checked against the bytes present and against a ceiling, so a
 * corrupt or hostile header gives a clear error naming the file, never a huge allocation.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread.
 * {@link UByteArray} is shallowly immutable: its arrays are not copied, so it is safe to share as
 * long as no thread mutates them.
 */
public final class Idx {
    /** Most bytes an IDX payload may declare (2 GiB - 1: one Java array). */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private Idx() {}

    /**
     * The contents of an unsigned-byte IDX file.
     *
     * @param shape the sizes from the header (e.g. {@code [60000, 28, 28]} for images, {@code [60000]} for labels)
     * @param data  the values, row-major, as unsigned bytes ({@code data[i] & 0xff})
     */
    public record UByteArray(int[] shape, byte[] data) {
        /** Number of items (the first size). */
        public int count() {
            return shape[0];
        }

        /** Elements per item (the product of the other sizes). */
        public int itemSize() {
            int n = 1;
            for (int i = 1; i < shape.length; i++) n *= shape[i];
            return n;
        }

        /** Value {@code i} as an int in [0, 255]. */
        public int get(int i) {
            return data[i] & 0xff;
        }
    }

    /** Reads an unsigned-byte IDX file ({@code .gz} or plain). */
    public static UByteArray read(Path file) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : new BufferedInputStream(raw, 1 << 16)) {
            return read(in, file.toString());
        }
    }

    /** Reads an unsigned-byte IDX stream; {@code name} labels errors. */
    public static UByteArray read(InputStream stream, String name) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IOException(name + ": not an IDX file (shorter than its 4-byte magic number)");
        }
        if ((magic >>> 16) != 0) throw new IOException(name + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ")");
        int type = (magic >>> 8) & 0xff, ndim = magic & 0xff;
        if (type != 0x08) throw new IOException(name + ": IDX element type 0x" + Integer.toHexString(type) + " is not supported (only unsigned bytes, 0x08)");
        if (ndim < 1 || ndim > 4) throw new IOException(name + ": IDX with " + ndim + " dimensions is not supported (1 to 4)");
        int[] shape = new int[ndim];
        long total = 1;
        try {
            for (int i = 0; i < ndim; i++) {
                shape[i] = in.readInt();
                if (shape[i] < 1) throw new IOException(name + ": IDX size " + i + " is " + shape[i]);
                total *= shape[i];
                if (total > MAX_BYTES) throw new IOException(name + ": IDX header declares more than " + MAX_BYTES + " values " + Arrays.toString(shape));
            }
        } catch (EOFException e) {
            throw new IOException(name + ": truncated IDX header");
        }
        byte[] data = in.readNBytes((int) total);   // grows with the bytes actually present, not with the header's claim
        if (data.length != total)
            throw new IOException(name + ": truncated IDX file: the header " + Arrays.toString(shape) + " declares " + total + " bytes of data, the file has " + data.length);
        return new UByteArray(shape, data);
    }
}
