package io.stylegan2.core.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p>Reads dtypes {@code f4 f8 f2 i4 i8 i2 i1 u1 b1} in either byte order. C-order arrays are read
 * as is; Fortran-order arrays are read and returned in the logical (C) layout, i.e. transposed
 * back. Pickled object arrays are rejected. Writes float32 or float64 little-endian C-order
 * arrays, format 1.0 (2.0 when the header is too long), atomically.
 *
 * <p><b>Thread safety:</b> Stateless (the static patterns are immutable); every method is safe to
 * call from any thread, given arrays no thread mutates meanwhile.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Reads an .npy file. */
    public static INDArray read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return read(bytes);
        } catch (IllegalArgumentException | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            throw new IOException("invalid .npy file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses .npy bytes. */
    public static INDArray read(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new IllegalArgumentException("file too short (" + bytes.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++)
            if (bytes[i] != MAGIC[i]) throw new IllegalArgumentException("not an .npy file (bad magic)");
        int major = bytes[6] & 0xff;
        b.position(8);
        long headerLen;
        if (major == 1) headerLen = b.getShort() & 0xffff;
        else if (major == 2 || major == 3) headerLen = b.getInt() & 0xffffffffL;
        else throw new IllegalArgumentException("unsupported .npy format version " + major + "." + (bytes[7] & 0xff));
        if (b.position() + headerLen > bytes.length) throw new IllegalArgumentException("truncated header");
        String header = new String(bytes, b.position(), (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        b.position(b.position() + (int) headerLen);

        Matcher md = DESCR.matcher(header), mf = FORTRAN.matcher(header), ms = SHAPE.matcher(header);
        if (!md.find() || !mf.find() || !ms.find()) throw new IllegalArgumentException("cannot parse header: " + header.trim());
        String descr = md.group(1);
        boolean fortran = mf.group(1).equals("True");
        List<Long> dims = new ArrayList<>();
        for (String s : ms.group(1).split(",")) {
            s = s.trim();
            if (!s.isEmpty()) dims.add(Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();

        if (descr.length() < 3) throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        char bo = descr.charAt(0);
        ByteOrder order = bo == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (bo != '<' && bo != '>' && bo != '|' && bo != '=') throw new IllegalArgumentException("unsupported dtype '" + descr + "'");
        TensorBytes.ElementType type;
        switch (descr.substring(1)) {
            case "f8": type = TensorBytes.ElementType.F64; break;
            case "f4": type = TensorBytes.ElementType.F32; break;
            case "f2": type = TensorBytes.ElementType.F16; break;
            case "i8": type = TensorBytes.ElementType.I64; break;
            case "i4": type = TensorBytes.ElementType.I32; break;
            case "i2": type = TensorBytes.ElementType.I16; break;
            case "i1": type = TensorBytes.ElementType.I8; break;
            case "u1": type = TensorBytes.ElementType.U8; break;
            case "b1": type = TensorBytes.ElementType.BOOL; break;
            default: throw new IllegalArgumentException("unsupported dtype '" + descr + "' (object/pickled arrays are not read)");
        }
        long need = TensorBytes.numel(shape) * type.size;
        if (b.remaining() < need)
            throw new IllegalArgumentException("truncated data: need " + need + " bytes, file has " + b.remaining());
        if (!fortran) return TensorBytes.read(b, type, shape, order);
        // Fortran order: the data is the C-order layout of the reversed shape, transposed.
        long[] rev = new long[shape.length];
        for (int i = 0; i < shape.length; i++) rev[i] = shape[shape.length - 1 - i];
        INDArray r = TensorBytes.read(b, type, rev, order);
        if (shape.length < 2) return r;
        int[] perm = new int[shape.length];
        for (int i = 0; i < shape.length; i++) perm[i] = shape.length - 1 - i;
        return r.permute(perm).dup('c');
    }

    /** Writes a float32 array (other types are cast to float32). */
    public static void writeFloat32(Path file, INDArray a) throws IOException {
        write(file, a, DataType.FLOAT);
    }

    /** Writes a float64 array (other types are cast to float64). */
    public static void writeFloat64(Path file, INDArray a) throws IOException {
        write(file, a, DataType.DOUBLE);
    }

    /** Writes {@code a} as float32 or float64 little-endian C order, atomically. */
    public static void write(Path file, INDArray a, DataType type) throws IOException {
        AtomicFiles.write(file, out -> write(out, a, type));
    }

    /** Writes .npy bytes of {@code a} (float32 or float64) to a stream. */
    public static void write(OutputStream out, INDArray a, DataType type) throws IOException {
        boolean f64;
        if (type == DataType.DOUBLE) f64 = true;
        else if (type == DataType.FLOAT) f64 = false;
        else throw new IllegalArgumentException("Npy.write supports FLOAT and DOUBLE, got " + type);
        long[] shape = a.shape();
        StringBuilder sb = new StringBuilder("{'descr': '").append(f64 ? "<f8" : "<f4")
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) sb.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : (i < shape.length - 1 ? ", " : ""));
        sb.append("), }");
        int version = 1;
        int prefix = 10;
        int total = prefix + sb.length() + 1;
        if (total + 63 > 65535 + prefix) { version = 2; prefix = 12; total = prefix + sb.length() + 1; }
        int pad = (64 - total % 64) % 64;
        for (int i = 0; i < pad; i++) sb.append(' ');
        sb.append('\n');
        byte[] header = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer pre = ByteBuffer.allocate(prefix).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) pre.putShort((short) header.length); else pre.putInt(header.length);
        out.write(pre.array());
        out.write(header);
        if (f64) {
            double[] d = TensorBytes.toDoubles(a);
            ByteBuffer bb = ByteBuffer.allocate(d.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            bb.asDoubleBuffer().put(d);
            out.write(bb.array());
        } else {
            float[] d = TensorBytes.toFloats(a);
            ByteBuffer bb = ByteBuffer.allocate(d.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(d);
            out.write(bb.array());
        }
    }

    /** Reads every {@code .npy} entry of an {@code .npz} archive (what {@code np.savez} writes), by name without the extension. */
    public static java.util.Map<String, INDArray> readNpz(Path file) throws IOException {
        java.util.Map<String, INDArray> m = new java.util.LinkedHashMap<>();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file); java.util.zip.ZipInputStream zip = new java.util.zip.ZipInputStream(in)) {
            for (java.util.zip.ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (!e.getName().endsWith(".npy")) continue;
                m.put(e.getName().substring(0, e.getName().length() - 4), read(zip.readAllBytes()));
            }
        }
        if (m.isEmpty()) throw new IOException(file + ": no .npy entries (not an npz archive?)");
        return m;
    }
}
