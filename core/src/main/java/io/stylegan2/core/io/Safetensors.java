package io.stylegan2.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The <a href="https://github.com/huggingface/safetensors">safetensors</a> format: an 8-byte
 * little-endian header length N, N bytes of JSON header
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"k": "v"}}}
 * (offsets relative to the end of the header), then the raw little-endian C-order tensor data.
 *
 * <p>Reads F32, F64, F16, BF16 (both widened to float32), I64, I32, I16, I8, U8 and BOOL; writes F32.
 * The reader validates the header (dtype, shape, offsets inside the data area, byte count equal
 * to {@code numel * size}, no two tensors overlapping) and reports truncated or corrupt files with
 * an {@link IOException} naming the file and, where it applies, the tensor. What a header may make
 * the reader allocate is bounded by {@link Limits}.
 *
 * <p>Hand-written: the format is a small JSON header plus raw bytes (Jackson parses the header);
 * the maintained implementations are Rust/Python, and the JVM ones bind to their own tensor types
 * (DJL) without the size limits and per-tensor error messages this reader enforces on untrusted files.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (concurrent
 * writes of the same file are each atomic; the last rename wins).
 */
public final class Safetensors {
    private Safetensors() {}

    /** JSON of the header: a safetensors header nests 3 deep, so 64 levels is generous. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build());

    /**
     * Bounds on what a header may make the reader allocate, checked before allocation. Tensor data
     * cannot exceed the file (offsets are checked against its size, overlaps are refused), so the
     * header is what a small file could abuse. Each limit can be raised with a system property
     * ({@code -Dstylegan2.safetensors.<key>=N}); {@link #current()} reads them at each read.
     *
     * <p><b>Thread safety:</b> Immutable; safe to share between threads.
     *
     * @param maxHeaderBytes bytes of the JSON header; key {@code max-header-bytes} (default 100 MB, the reference implementation's limit)
     * @param maxEntries     tensors plus metadata entries; key {@code max-entries} (default 100 000; a 1024 px config-f G+D has about 500)
     * @param maxRank        dimensions of one tensor; key {@code max-rank} (default 32, ND4J's maximum)
     */
    public record Limits(long maxHeaderBytes, int maxEntries, int maxRank) {
        /** Prefix of the system properties. */
        public static final String PROPERTY_PREFIX = "stylegan2.safetensors.";

        public Limits {
            if (maxHeaderBytes < 1 || maxEntries < 1 || maxRank < 1) throw new IllegalArgumentException("safetensors limits must be positive");
            maxHeaderBytes = Math.min(maxHeaderBytes, Integer.MAX_VALUE - 8);   // one Java array
        }

        /** The defaults (see the record's parameters). */
        public static Limits defaults() {
            return new Limits(100L << 20, 100_000, 32);
        }

        /** The defaults, each replaced by its system property when set. */
        public static Limits current() {
            Limits d = defaults();
            return new Limits(property("max-header-bytes", d.maxHeaderBytes), (int) Math.min(Integer.MAX_VALUE, property("max-entries", d.maxEntries)),
                    (int) Math.min(Integer.MAX_VALUE, property("max-rank", d.maxRank)));
        }

        private static long property(String key, long def) {
            return io.stylegan2.core.Limits.property(PROPERTY_PREFIX + key, def, 1);
        }

        String raise(String key) {
            return " (limit: raise it with -D" + PROPERTY_PREFIX + key + "=N if the file is trusted)";
        }
    }

    /** Contents of a safetensors file, in header order. */
    public record Contents(Map<String, INDArray> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
        }
    }

    /** One header entry. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    /** Header of a safetensors file: tensor entries (header order) plus metadata. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart, long dataLength) {}

    /** Reads every tensor and the metadata. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(file, ch);
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (Entry e : h.entries()) out.put(e.name(), readTensor(file, ch, h, e));
            return new Contents(out, h.metadata());
        }
    }

    /** A reader of a file (e.g. {@code NativeModel::read}). */
    @FunctionalInterface
    public interface FileReader<T> {
        T read(Path file) throws IOException;
    }

    /**
     * Reads a stream (e.g. a classpath resource) with a file reader, through a temporary file that is
     * deleted afterwards; errors are prefixed with {@code name}.
     */
    public static <T> T readStream(java.io.InputStream in, String name, FileReader<T> reader) throws IOException {
        Path tmp = java.nio.file.Files.createTempFile("stylegan2-", ".safetensors");
        try {
            java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try {
                return reader.read(tmp);
            } catch (IOException e) {
                throw new IOException(name + ": " + e.getMessage(), e);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    /** Reads and validates only the header. */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static INDArray readTensor(Path file, FileChannel ch, Header h, Entry e) throws IOException {
        long len = e.end() - e.begin();
        if (len > Integer.MAX_VALUE) throw new IOException(file + ": tensor '" + quote(e.name()) + "' is larger than 2 GiB");
        ByteBuffer buf = ByteBuffer.allocate((int) len);
        long pos = h.dataStart() + e.begin();
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) throw new IOException(file + ": truncated file while reading tensor '" + quote(e.name()) + "'");
        }
        buf.flip();
        return TensorBytes.read(buf, elementType(e.dtype()), e.shape(), ByteOrder.LITTLE_ENDIAN);
    }

    private static TensorBytes.ElementType elementType(String dtype) {
        switch (dtype) {
            case "F32": return TensorBytes.ElementType.F32;
            case "F64": return TensorBytes.ElementType.F64;
            case "F16": return TensorBytes.ElementType.F16;
            case "BF16": return TensorBytes.ElementType.BF16;
            case "I64": return TensorBytes.ElementType.I64;
            case "I32": return TensorBytes.ElementType.I32;
            case "I16": return TensorBytes.ElementType.I16;
            case "I8": return TensorBytes.ElementType.I8;
            case "U8": return TensorBytes.ElementType.U8;
            case "BOOL": return TensorBytes.ElementType.BOOL;
            default: return null;
        }
    }

    /** What error messages quote of a name or value from the file: at most 120 characters. */
    private static String quote(String s) {
        return s.length() <= 120 ? s : s.substring(0, 100) + "... (" + s.length() + " characters)";
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        Limits limits = Limits.current();
        long size = ch.size();
        if (size < 8) throw new IOException(file + ": not a safetensors file (only " + size + " bytes)");
        ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (lb.hasRemaining()) if (ch.read(lb, lb.position()) < 0) break;
        lb.flip();
        long n = lb.getLong();
        if (n <= 0) throw new IOException(file + ": corrupt safetensors header length " + n);
        if (n > limits.maxHeaderBytes())
            throw new IOException(file + ": safetensors header of " + n + " bytes is larger than " + limits.maxHeaderBytes() + limits.raise("max-header-bytes"));
        if (8 + n > size) throw new IOException(file + ": truncated safetensors file: header of " + n + " bytes but file has " + size + " bytes");
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        while (hb.hasRemaining()) if (ch.read(hb, 8 + hb.position()) < 0) break;
        String json = new String(hb.array(), StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": corrupt safetensors header (invalid JSON): " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": corrupt safetensors header (not a JSON object)");
        long dataStart = 8 + n, dataLength = size - dataStart;
        Map<String, String> meta = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (entries.size() + meta.size() >= limits.maxEntries())
                throw new IOException(file + ": safetensors header has more than " + limits.maxEntries() + " entries" + limits.raise("max-entries"));
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new IOException(file + ": __metadata__ is not an object");
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (entries.size() + meta.size() >= limits.maxEntries())
                        throw new IOException(file + ": safetensors header has more than " + limits.maxEntries() + " entries" + limits.raise("max-entries"));
                    if (!kv.getValue().isTextual()) throw new IOException(file + ": metadata value of '" + quote(kv.getKey()) + "' is not a string");
                    meta.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            String where = file + ": tensor '" + quote(name) + "': ";
            if (!v.isObject()) throw new IOException(where + "header entry is not an object");
            JsonNode dt = v.get("dtype"), sh = v.get("shape"), off = v.get("data_offsets");
            if (dt == null || !dt.isTextual()) throw new IOException(where + "missing dtype");
            TensorBytes.ElementType type = elementType(dt.asText());
            if (type == null) throw new IOException(where + "unsupported dtype " + quote(dt.asText()));
            if (sh == null || !sh.isArray()) throw new IOException(where + "missing shape");
            if (sh.size() > limits.maxRank())
                throw new IOException(where + "shape has " + sh.size() + " dimensions, more than " + limits.maxRank() + limits.raise("max-rank"));
            long[] shape = new long[sh.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) throw new IOException(where + "invalid shape " + quote(sh.toString()));
                shape[i] = sh.get(i).asLong();
            }
            if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong())
                throw new IOException(where + "invalid data_offsets " + quote(String.valueOf(off)));
            long b = off.get(0).asLong(), e = off.get(1).asLong();
            if (b < 0 || e < b) throw new IOException(where + "invalid data_offsets [" + b + ", " + e + "]");
            long need;
            try {
                need = Math.multiplyExact(TensorBytes.numel(shape), type.size);
            } catch (ArithmeticException ex) {
                throw new IOException(where + "shape too large " + Arrays.toString(shape));
            }
            if (e - b != need)
                throw new IOException(where + "data_offsets [" + b + ", " + e + "] span " + (e - b) + " bytes but " + dt.asText() + Arrays.toString(shape) + " needs " + need);
            if (e > dataLength)
                throw new IOException(where + "data ends at byte " + e + " of the data area but the file has only " + dataLength
                        + " data bytes (truncated or corrupt file)");
            entries.add(new Entry(name, dt.asText(), shape, b, e));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry p = sorted.get(i - 1), c = sorted.get(i);
            if (c.begin() < p.end() && c.end() > c.begin() && p.end() > p.begin())
                throw new IOException(file + ": corrupt safetensors header: tensors '" + quote(p.name()) + "' and '" + quote(c.name()) + "' overlap");
        }
        return new Header(entries, meta, dataStart, dataLength);
    }

    /**
     * Writes the tensors as F32 (other types are cast), in the map's iteration order, with the given
     * string metadata, atomically.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> write(out, tensors, metadata));
    }

    /** Writes safetensors bytes (F32) to a stream. */
    public static void write(OutputStream out, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long off = 0;
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            if (t.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is not a valid tensor name");
            ObjectNode e = root.putObject(t.getKey());
            e.put("dtype", "F32");
            ArrayNode sh = e.putArray("shape");
            for (long d : t.getValue().shape()) sh.add(d);
            long len = t.getValue().length() * 4;
            ArrayNode o = e.putArray("data_offsets");
            o.add(off);
            o.add(off + len);
            off += len;
        }
        byte[] header = JSON.writeValueAsBytes(root);
        int pad = (8 - header.length % 8) % 8;
        ByteBuffer lb = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length + pad);
        out.write(lb.array());
        out.write(header);
        for (int i = 0; i < pad; i++) out.write(' ');
        for (INDArray a : tensors.values()) {
            float[] d = TensorBytes.toFloats(a);
            ByteBuffer bb = ByteBuffer.allocate(d.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(d);
            out.write(bb.array());
        }
    }
}
