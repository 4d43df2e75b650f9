package io.stylegan2.converter;

import io.stylegan2.core.io.AtomicFiles;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a PyTorch (&gt;= 1.6) zip file that {@code torch.load} reads: {@code archive/data.pkl}
 * (pickle protocol 2, written opcode by opcode), {@code archive/data/<key>} (raw little-endian float32
 * storages) and {@code archive/version} ({@code "3\n"}); all entries STORED.
 *
 * <p>Supported values: {@link Map} with {@link String} keys (a dict, iteration order kept),
 * {@link List} (a list), {@link INDArray} (written as a float32 C-order tensor, one storage each,
 * via {@code torch._utils._rebuild_tensor_v2}) and {@link String}. {@link TorchFiles#load} reads the
 * result back.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread, given a value
 * no thread mutates while it is written.
 */
public final class TorchWriter {
    private static final String ARCHIVE = "archive";

    private TorchWriter() {}

    /** Writes {@code nested} to {@code file} atomically. */
    public static void writeZip(Path file, Object nested) throws IOException {
        Pickler p = new Pickler();
        p.proto();
        p.value(nested);
        p.stop();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bos)) {
            stored(zip, ARCHIVE + "/data.pkl", p.out.toByteArray());
            for (int i = 0; i < p.storages.size(); i++) stored(zip, ARCHIVE + "/data/" + i, p.storages.get(i));
            stored(zip, ARCHIVE + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        AtomicFiles.write(file, bos.toByteArray());
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** Minimal protocol-2 pickle opcode writer. */
    static final class Pickler {
        static final int PROTO = 0x80, STOP = '.', MARK = '(', EMPTY_DICT = '}', EMPTY_LIST = ']', SETITEMS = 'u',
                APPENDS = 'e', BINUNICODE = 'X', TUPLE = 't', BININT = 'J', BININT1 = 'K', LONG1 = 0x8a,
                NEWFALSE = 0x89, REDUCE = 'R', BINPERSID = 'Q', GLOBAL = 'c';

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<byte[]> storages = new ArrayList<>();

        void op(int code) { out.write(code); }

        void proto() { op(PROTO); op(2); }

        void stop() { op(STOP); }

        void global(String module, String name) {
            op(GLOBAL);
            out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            op(BINUNICODE);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
            out.writeBytes(b);
        }

        void integer(long v) {
            if (v >= 0 && v < 256) {
                op(BININT1);
                op((int) v);
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                op(BININT);
                out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            } else {
                op(LONG1);
                op(8);
                out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            }
        }

        void intTuple(long[] vs) {
            op(MARK);
            for (long v : vs) integer(v);
            op(TUPLE);
        }

        void value(Object v) {
            if (v instanceof Map<?, ?> m) {
                op(EMPTY_DICT);
                if (m.isEmpty()) return;
                op(MARK);
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException("dict keys must be strings, got " + e.getKey());
                    string(k);
                    value(e.getValue());
                }
                op(SETITEMS);
            } else if (v instanceof List<?> l) {
                op(EMPTY_LIST);
                if (l.isEmpty()) return;
                op(MARK);
                for (Object o : l) value(o);
                op(APPENDS);
            } else if (v instanceof String s) {
                string(s);
            } else if (v instanceof INDArray a) {
                tensor(a);
            } else {
                throw new IllegalArgumentException("unsupported value type: " + (v == null ? "null" : v.getClass().getName()));
            }
        }

        void tensor(INDArray a) {
            INDArray c = a.castTo(DataType.FLOAT).dup('c');
            long n = c.length();
            float[] f = n == 0 ? new float[0] : c.data().asFloat();
            ByteBuffer bb = ByteBuffer.allocate(Math.toIntExact(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) bb.putFloat(f[i]);
            String key = Integer.toString(storages.size());
            storages.add(bb.array());

            long[] shape = c.shape();
            long[] stride = new long[shape.length];
            long s = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                stride[i] = s;
                s *= shape[i];
            }
            global("torch._utils", "_rebuild_tensor_v2");
            op(MARK);
            // persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
            op(MARK);
            string("storage");
            global("torch", "FloatStorage");
            string(key);
            string("cpu");
            integer(n);
            op(TUPLE);
            op(BINPERSID);
            integer(0);
            intTuple(shape);
            intTuple(stride);
            op(NEWFALSE);
            global("collections", "OrderedDict");
            op(MARK);
            op(TUPLE);
            op(REDUCE);
            op(TUPLE);
            op(REDUCE);
        }
    }
}
