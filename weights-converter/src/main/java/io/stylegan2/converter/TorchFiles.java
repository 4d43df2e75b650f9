package io.stylegan2.converter;

import io.stylegan2.core.io.TensorBytes;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Loads PyTorch files without executing any code, through {@link RestrictedUnpickler}.
 *
 * <ul>
 *   <li>{@link Format#TORCH_ZIP}: {@code torch.save} (PyTorch &ge; 1.6): a zip with
 *       {@code <root>/data.pkl}, {@code <root>/data/<key>} raw storages and optionally
 *       {@code <root>/byteorder}.</li>
 *   <li>{@link Format#TORCH_LEGACY}: pre-1.6 {@code torch.save}: pickled magic number
 *       0x1950a86a20f9469cfc6c, protocol 1001, sys-info dict, the main pickle, the storage-key
 *       list, then per storage an int64 element count and the raw bytes.</li>
 *   <li>{@link Format#PICKLE}: a plain pickle, e.g. an NVIDIA {@code network-snapshot-*.pkl}, whose
 *       storages are embedded via {@code torch.storage._load_from_bytes} (legacy torch.save bytes).</li>
 * </ul>
 * Storages are always read to the CPU whatever their location tag ({@code 'cuda:0'}). Tensors are
 * rebuilt with their storage offset, size and stride (non-contiguous views are gathered) as
 * {@link INDArray}s of the same element type (float16/bfloat16 are widened to float32). The
 * result is plain Java data: {@code Map<Object,Object>} (insertion ordered), {@code List},
 * {@code Object[]} (tuples), {@code Set}, {@code String}, {@code Integer}/{@code Long}/{@code BigInteger} (smallest that fits),
 * {@code Double}, {@code Boolean}, {@code byte[]}, {@code INDArray}, {@link PickledObject}, or null.
 *
 * <p>The pickle opcodes are {@code net.razorvine:pickle}'s; the torch layer (zip and legacy
 * containers, storages, strides) is hand-written because no maintained JVM library reads
 * {@code torch.save} files, and the ones that load models through libtorch (DJL, JavaCPP presets)
 * would execute the pickle's globals, which this reader must never do.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread: each load has
 * its own unpickler and byte counters, and its result is fresh, unsynchronised data owned by the
 * caller. {@link Format} is immutable.
 */
public final class TorchFiles {
    private static final Logger log = LoggerFactory.getLogger(TorchFiles.class);
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchFiles() {}

    /** Container formats recognised by {@link #detect}. */
    public enum Format { TORCH_ZIP, TORCH_LEGACY, PICKLE, SAFETENSORS, UNKNOWN }

    /** Detects the container format from the first bytes. */
    public static Format detect(Path file) throws IOException {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return Format.TORCH_ZIP;
        if (n >= 14 && (head[0] & 0xff) == 0x80 && (head[2] & 0xff) == 0x8a && head[3] == 10) {
            byte[] le = Arrays.copyOfRange(head, 4, 14);
            byte[] be = new byte[11];
            for (int i = 0; i < 10; i++) be[10 - i] = le[i];
            if (new BigInteger(be).equals(LEGACY_MAGIC)) return Format.TORCH_LEGACY;
        }
        if (n >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) return Format.PICKLE;
        if (n >= 9) {
            long len = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (len > 1 && len < (100L << 20) && head[8] == '{') return Format.SAFETENSORS;
        }
        return Format.UNKNOWN;
    }

    /**
     * Loads a torch zip, legacy torch or plain pickle file.
     *
     * @throws UnsafePickleException if the pickle references a global outside the allow-list
     * @throws IOException           if the file is truncated, corrupt or not a supported format (the message names the file)
     */
    public static Object load(Path file) throws IOException {
        return load(file, ReaderLimits.current());
    }

    /**
     * Loads with explicit limits ({@link ReaderLimits}): the pickle stream's size, each storage's and all
     * storages' bytes are checked before they are read, the unpickled structure's depth, size and cycles
     * before it is traversed; no allocation is sized by a value of the file before that check.
     */
    public static Object load(Path file, ReaderLimits limits) throws IOException {
        Format f = detect(file);
        Reading r = new Reading(file.toString(), limits);
        try {
            switch (f) {
                case TORCH_ZIP: return loadZip(file, r);
                case TORCH_LEGACY: {
                    long size = Files.size(file);
                    if (size > limits.maxPickleBytes() + limits.maxTotalBytes() || size > Integer.MAX_VALUE - 8)
                        throw new IOException(file + ": legacy torch.save file of " + size + " bytes is larger than this reader takes" + ReaderLimits.raise("max-total-bytes"));
                    return checked(loadLegacy(Files.readAllBytes(file), file.toString(), r, 0), r);
                }
                case PICKLE: return loadPickle(file, r);
                default: throw new IOException(file + ": not a torch.save (zip or legacy) file or a pickle (format " + f + ")");
            }
        } catch (StackOverflowError e) {
            throw new IOException(file + ": the pickled structure is nested too deeply to read", e);
        } catch (UnsafePickleException e) {
            throw new UnsafePickleException(e.global(), file + ": " + e.getMessage());
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains(file.toString())) throw e;
            throw new IOException(file + ": corrupt or truncated " + f + " file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": corrupt or truncated " + f + " file: " + e, e);
        }
    }

    /** What one load has read so far, and its limits. */
    private static final class Reading {
        final String file;
        final ReaderLimits limits;
        long storageBytes;

        Reading(String file, ReaderLimits limits) {
            this.file = file;
            this.limits = limits;
        }

        /** Counts a storage of {@code bytes} against the per-storage and per-file limits before it is read. */
        void storage(String key, long bytes) throws IOException {
            if (bytes > limits.maxStorageBytes())
                throw new IOException(file + ": storage '" + key + "' declares " + bytes + " bytes, more than " + limits.maxStorageBytes() + ReaderLimits.raise("max-storage-bytes"));
            storageBytes += bytes;
            if (storageBytes > limits.maxTotalBytes())
                throw new IOException(file + ": its storages declare more than " + limits.maxTotalBytes() + " bytes together" + ReaderLimits.raise("max-total-bytes"));
        }

        /** The loader of {@code torch.storage._load_from_bytes} streams found at nesting {@code depth}. */
        RestrictedUnpickler.StorageBytesLoader embedded(int depth) {
            return b -> {
                if (depth >= limits.maxEmbeddingDepth())
                    throw new IOException(file + ": torch.storage._load_from_bytes streams nested more than " + limits.maxEmbeddingDepth() + " deep" + ReaderLimits.raise("max-embedding-depth"));
                return loadLegacy(b, file + " (embedded storage)", this, depth + 1);
            };
        }
    }

    /** The structure checked ({@link PickleStructure}), then its tensors materialised. */
    private static Object checked(Object root, Reading r) throws IOException {
        PickleStructure.check(root, r.limits, r.file);
        return materialize(root);
    }

    private static Object loadPickle(Path file, Reading r) throws IOException {
        long size = Files.size(file);
        if (size > r.limits.maxPickleBytes())
            throw new IOException(file + ": pickle of " + size + " bytes is larger than " + r.limits.maxPickleBytes() + ReaderLimits.raise("max-pickle-bytes"));
        byte[] bytes = Files.readAllBytes(file);
        RestrictedUnpickler u = new RestrictedUnpickler(null, r.embedded(0));
        return checked(u.load(new ByteArrayInputStream(bytes)), r);
    }

    /** At most {@code limit} bytes of a zip entry (its declared size is checked first; an entry that inflates past it fails). */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, long limit, String what, String key) throws IOException {
        if (e.getSize() > limit) throw new IOException(what + " declares " + e.getSize() + " bytes, more than " + limit + ReaderLimits.raise(key));
        try (InputStream in = zip.getInputStream(e)) {
            byte[] d = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
            if (d.length == limit && in.read() >= 0) throw new IOException(what + " inflates to more than " + limit + " bytes" + ReaderLimits.raise(key));
            return d;
        }
    }

    private static Object loadZip(Path file, Reading r) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String root = null;
            Set<String> names = new java.util.HashSet<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (!names.add(name)) throw new IOException(file + ": zip entry '" + RestrictedUnpickler.describe(name) + "' appears twice (PyTorch and this reader could read different ones): refusing the file");
                if (root != null) continue;
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) root = name.substring(0, name.length() - "data.pkl".length());
                else if (name.equals("data.pkl")) root = "";
            }
            if (root == null) throw new IOException(file + ": zip file has no <root>/data.pkl entry: not a torch.save file");
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(root + "byteorder");
            if (bo != null) {
                String s = new String(zip.getInputStream(bo).readAllBytes()).trim();
                if (s.equals("big")) order = ByteOrder.BIG_ENDIAN;
            }
            final String prefix = root;
            final ByteOrder fo = order;
            Map<String, TorchStorage> storages = new HashMap<>();
            RestrictedUnpickler u = new RestrictedUnpickler(pid -> {
                TorchStorage s = storageFromPid(pid, storages, file, r);
                if (s.data == null) {
                    ZipEntry e = zip.getEntry(prefix + "data/" + s.key);
                    if (e == null) throw new IOException(file + ": storage '" + s.key + "' has no zip entry " + prefix + "data/" + s.key);
                    long need = s.numel * s.type.size;     // checked against the limits in storageFromPid
                    byte[] d;
                    try (InputStream in = zip.getInputStream(e)) { d = in.readNBytes((int) need); }   // never more than the tensor needs
                    if (d.length < need) throw new IOException(file + ": storage '" + s.key + "' has " + d.length + " bytes, expected " + need);
                    s.data = d;
                    s.order = fo;
                }
                return s;
            }, r.embedded(0));
            ZipEntry pkl = zip.getEntry(root + "data.pkl");
            byte[] pickle = readEntry(zip, pkl, r.limits.maxPickleBytes(), file + ": " + root + "data.pkl", "max-pickle-bytes");
            return checked(u.load(new ByteArrayInputStream(pickle)), r);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt or truncated zip (torch.save) file: " + e.getMessage(), e);
        }
    }

    private static TorchStorage storageFromPid(Object[] pid, Map<String, TorchStorage> storages, Object file, Reading r) throws IOException {
        if (pid.length < 5 || !"storage".equals(pid[0]) || !(pid[1] instanceof RestrictedUnpickler.Global) || !(pid[2] instanceof String)
                || !(pid[4] instanceof Integer || pid[4] instanceof Long))
            throw new IOException(file + ": unexpected persistent id " + RestrictedUnpickler.describe(pid));
        RestrictedUnpickler.Global g = (RestrictedUnpickler.Global) pid[1];
        TensorBytes.ElementType t = RestrictedUnpickler.STORAGE_TYPES.get(g.name());
        if (t == null || !g.module().equals("torch")) throw new IOException(file + ": unsupported storage type " + g.qualified());
        String key = (String) pid[2];
        if (key.length() > 256) throw new IOException(file + ": storage key of " + key.length() + " characters (torch uses short numbers)");
        long numel = ((Number) pid[4]).longValue();
        if (numel < 0) throw new IOException(file + ": storage '" + key + "' has a negative size " + numel);
        if (pid.length > 5 && pid[5] != null) throw new IOException(file + ": storage views (view_metadata) are not supported (storage " + key + ")");
        TorchStorage s = storages.get(key);
        if (s == null) {
            r.storage(key, Math.multiplyHigh(numel, t.size) != 0 ? Long.MAX_VALUE : numel * t.size);
            s = new TorchStorage(key, t, numel);
            storages.put(key, s);
            log.trace("storage {} {} numel {} location {}", key, g.name(), numel, pid[3]);
        }
        return s;
    }

    /** Parses legacy torch.save bytes; the result still holds {@link TensorRef}s (storages loaded). {@code depth}: embedding level. */
    private static Object loadLegacy(byte[] bytes, String what, Reading r, int depth) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        Object magic = new RestrictedUnpickler(null, null).load(in);
        if (!(magic instanceof Number) || !new BigInteger(magic.toString()).equals(LEGACY_MAGIC))
            throw new IOException(what + ": not a legacy torch.save stream (bad magic number)");
        Object proto = new RestrictedUnpickler(null, null).load(in);
        if (!(proto instanceof Number) || ((Number) proto).intValue() != 1001)
            throw new IOException(what + ": unsupported legacy torch protocol version " + RestrictedUnpickler.describe(proto));
        Object sysInfo = new RestrictedUnpickler(null, null).load(in);
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (sysInfo instanceof Map && Boolean.FALSE.equals(((Map<?, ?>) sysInfo).get("little_endian"))) order = ByteOrder.BIG_ENDIAN;
        Map<String, TorchStorage> storages = new HashMap<>();
        Object result = new RestrictedUnpickler(pid -> storageFromPid(pid, storages, what, r), r.embedded(depth)).load(in);
        Object keys = new RestrictedUnpickler(null, null).load(in);
        if (!(keys instanceof List)) throw new IOException(what + ": corrupt legacy file: storage key list missing");
        for (Object k : (List<?>) keys) {
            TorchStorage s = k instanceof String ? storages.get(k) : null;
            if (s == null) throw new IOException(what + ": storage key " + RestrictedUnpickler.describe(k) + " listed but not referenced");
            byte[] nb = in.readNBytes(8);
            if (nb.length < 8) throw new IOException(what + ": truncated file: storage '" + s.key + "' header missing");
            long numel = ByteBuffer.wrap(nb).order(order).getLong();
            if (numel != s.numel) throw new IOException(what + ": storage '" + s.key + "' has " + numel + " elements, pickle says " + s.numel);
            long len = numel * s.type.size;
            if (len > Integer.MAX_VALUE) throw new IOException(what + ": storage '" + s.key + "' larger than 2 GiB");
            byte[] d = in.readNBytes((int) len);
            if (d.length < len) throw new IOException(what + ": truncated file: storage '" + s.key + "' has " + d.length + " of " + len + " bytes");
            s.data = d;
            s.order = order;
        }
        for (TorchStorage s : storages.values())
            if (s.data == null) throw new IOException(what + ": storage '" + s.key + "' is referenced but not in the storage key list");
        return result;
    }

    /** Replaces every {@link TensorRef} in the structure by an INDArray (in place), returning the root. */
    static Object materialize(Object root) throws IOException {
        return new Materializer().visit(root);
    }

    private static final class Materializer {
        final Map<Object, Object> done = new IdentityHashMap<>();
        final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());

        @SuppressWarnings("unchecked")
        Object visit(Object o) throws IOException {
            if (o instanceof TensorRef) {
                Object r = done.get(o);
                if (r == null) { r = toArray((TensorRef) o); done.put(o, r); }
                return r;
            }
            if (o instanceof TorchStorage) return toArray(new TensorRef((TorchStorage) o, 0, new long[]{((TorchStorage) o).numel}, new long[]{1}));
            if (o == null || !seen.add(o)) return o;
            if (o instanceof Map) {
                Map<Object, Object> m = (Map<Object, Object>) o;
                for (Map.Entry<Object, Object> e : m.entrySet()) e.setValue(visit(e.getValue()));
            } else if (o instanceof List) {
                List<Object> l = (List<Object>) o;
                for (int i = 0; i < l.size(); i++) l.set(i, visit(l.get(i)));
            } else if (o instanceof Object[]) {
                Object[] a = (Object[]) o;
                for (int i = 0; i < a.length; i++) a[i] = visit(a[i]);
            } else if (o instanceof PickledObject) {
                for (Map.Entry<String, Object> e : ((PickledObject) o).state().entrySet()) e.setValue(visit(e.getValue()));
            }
            return o;
        }
    }

    static INDArray toArray(TensorRef t) throws IOException {
        TorchStorage s = t.storage;
        if (s.data == null) throw new IOException("storage '" + s.key + "' was never loaded");
        int es = s.type.size;
        long numel = TensorBytes.numel(t.size);
        boolean contiguous = true;
        long expect = 1, maxIndex = t.offset;
        for (int i = t.size.length - 1; i >= 0; i--) {
            if (t.size[i] != 1 && t.stride[i] != expect) contiguous = false;
            expect *= t.size[i];
            if (t.size[i] > 0) maxIndex += (t.size[i] - 1) * t.stride[i];
            if (t.stride[i] < 0) throw new IOException("negative stride in tensor on storage '" + s.key + "'");
        }
        if (numel > 0 && (t.offset < 0 || maxIndex >= s.numel))
            throw new IOException("tensor of size " + Arrays.toString(t.size) + " stride " + Arrays.toString(t.stride) + " offset " + t.offset
                    + " reads past the end of storage '" + s.key + "' (" + s.numel + " elements)");
        ByteBuffer src;
        if (contiguous) {
            src = ByteBuffer.wrap(s.data, (int) (t.offset * es), (int) (numel * es));
        } else {
            if (numel * es > Integer.MAX_VALUE) throw new IOException("tensor too large");
            byte[] out = new byte[(int) (numel * es)];
            int rank = t.size.length;
            long[] idx = new long[rank];
            for (long n = 0; n < numel; n++) {
                long off = t.offset;
                for (int d = 0; d < rank; d++) off += idx[d] * t.stride[d];
                System.arraycopy(s.data, (int) (off * es), out, (int) (n * es), es);
                for (int d = rank - 1; d >= 0; d--) {
                    if (++idx[d] < t.size[d]) break;
                    idx[d] = 0;
                }
            }
            src = ByteBuffer.wrap(out);
        }
        return TensorBytes.read(src, s.type, t.size, s.order);
    }

    /** Utility for callers: the list of keys of a map, as strings. */
    static List<String> keys(Map<?, ?> m) {
        List<String> r = new ArrayList<>();
        for (Object k : m.keySet()) r.add(String.valueOf(k));
        return r;
    }
}
