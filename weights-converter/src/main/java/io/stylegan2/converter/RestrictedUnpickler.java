package io.stylegan2.converter;

import io.stylegan2.core.io.TensorBytes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An unpickler built on {@code net.razorvine:pickle} that resolves Python globals only from a fixed
 * allow-list and rebuilds every allowed object as plain Java data. Every opcode that names or calls
 * a global ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code REDUCE}, {@code NEWOBJ}, {@code NEWOBJ_EX},
 * {@code BUILD}, {@code INST}, {@code OBJ}, {@code EXT*}, persistent ids) is handled here rather than
 * by the library; any global outside the allow-list stops the load with an
 * {@link UnsafePickleException} naming it. Nothing is ever executed or reflectively invoked.
 *
 * <p>Allowed: {@code collections.OrderedDict}, {@code builtins.set/frozenset/dict/list/tuple/object},
 * {@code _codecs.encode} (latin-1 only, protocol-2 bytes), {@code copyreg._reconstructor} (of
 * allowed classes), {@code torch._utils._rebuild_tensor}, {@code _rebuild_tensor_v2},
 * {@code _rebuild_parameter}, {@code _rebuild_parameter_with_state}, the torch storage types,
 * {@code torch.storage._load_from_bytes}, {@code torch.Size}, {@code torch.device}, torch dtypes,
 * {@code numpy.core.multiarray.scalar} and {@code numpy.dtype}, {@code argparse.Namespace},
 * {@code dnnlib.util.EasyDict}, {@code torch_utils.persistence._reconstruct_persistent_obj} and
 * the NVIDIA {@code training.networks.*} / {@code training.augment.AugmentPipe} class names (as data).
 */
final class RestrictedUnpickler extends Unpickler {

    /** Resolves a torch persistent id tuple to a {@link TorchStorage}. */
    interface PersistentResolver {
        Object resolve(Object[] pid) throws IOException;
    }

    /** A resolved, allowed global. */
    record Global(String module, String name) {
        String qualified() { return module + "." + name; }
    }

    /** A numpy dtype under reconstruction. */
    static final class NumpyDtype {
        final String code;
        char byteOrder = '<';
        NumpyDtype(String code) { this.code = code; }
    }

    static final Map<String, TensorBytes.ElementType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("FloatStorage", TensorBytes.ElementType.F32),
            Map.entry("DoubleStorage", TensorBytes.ElementType.F64),
            Map.entry("HalfStorage", TensorBytes.ElementType.F16),
            Map.entry("BFloat16Storage", TensorBytes.ElementType.BF16),
            Map.entry("LongStorage", TensorBytes.ElementType.I64),
            Map.entry("IntStorage", TensorBytes.ElementType.I32),
            Map.entry("ShortStorage", TensorBytes.ElementType.I16),
            Map.entry("CharStorage", TensorBytes.ElementType.I8),
            Map.entry("ByteStorage", TensorBytes.ElementType.U8),
            Map.entry("BoolStorage", TensorBytes.ElementType.BOOL));

    private static final Set<String> CALLABLE = Set.of(
            "collections.OrderedDict", "builtins.set", "builtins.frozenset", "builtins.dict", "builtins.list",
            "builtins.tuple", "__builtin__.set", "__builtin__.frozenset", "_codecs.encode", "copyreg._reconstructor",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state", "torch.storage._load_from_bytes", "torch.Size", "torch.device",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
            "argparse.Namespace", "dnnlib.util.EasyDict", "dnnlib.EasyDict",
            "torch_utils.persistence._reconstruct_persistent_obj");
    /** Names that may appear as values (e.g. the storage type in a persistent id) but are never called. */
    private static final Set<String> MARKERS = Set.of("builtins.object", "__builtin__.object",
            "torch.float32", "torch.float64", "torch.float16", "torch.bfloat16", "torch.int64", "torch.int32",
            "torch.uint8", "torch.bool", "torch.contiguous_format", "torch.preserve_format", "torch.channels_last");
    private static final Set<String> NVIDIA_MODULES = Set.of("training.networks", "training.augment",
            "training.networks_stylegan2", "training.networks_stylegan3");

    private final PersistentResolver resolver;
    private final StorageBytesLoader bytesLoader;

    /** Loads the legacy torch.save bytes given to {@code torch.storage._load_from_bytes}. */
    interface StorageBytesLoader {
        Object load(byte[] bytes) throws IOException;
    }

    RestrictedUnpickler(PersistentResolver resolver, StorageBytesLoader bytesLoader) {
        this.resolver = resolver;
        this.bytesLoader = bytesLoader;
    }

    static boolean isAllowed(String module, String name) {
        String q = module + "." + name;
        if (CALLABLE.contains(q) || MARKERS.contains(q)) return true;
        if (module.equals("torch") && STORAGE_TYPES.containsKey(name)) return true;
        return NVIDIA_MODULES.contains(module) && name.matches("[A-Z][A-Za-z0-9_]*");
    }

    private Global global(String module, String name) throws UnsafePickleException {
        if (!isAllowed(module, name))
            throw new UnsafePickleException(module + "." + name, "refusing to unpickle global '" + module + "." + name
                    + "': it is not on the allow-list of the weights converter (nothing was executed)");
        return new Global(module, name);
    }

    /**
     * Before a length-prefixed opcode reads its payload, checks the declared length against the bytes
     * left, so a corrupt or truncated length fails cleanly instead of allocating a huge buffer.
     */
    private void checkLength(int lengthBytes) throws IOException {
        if (!input.markSupported()) return;
        input.mark(16);
        byte[] b = input.readNBytes(lengthBytes);
        input.reset();
        if (b.length < lengthBytes) throw new IOException("truncated pickle");
        long n = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) n = (n << 8) | (b[i] & 0xff);
        if (lengthBytes == 4 && n > Integer.MAX_VALUE) n = -1; // signed 4-byte lengths
        if (n < 0 || n > input.available() - lengthBytes)
            throw new IOException("truncated or corrupt pickle: an item claims " + n + " bytes but only "
                    + Math.max(0, input.available() - lengthBytes) + " remain");
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case 'B': case 'X': case 'T': case 0x8b: // BINBYTES, BINUNICODE, BINSTRING, LONG4
                checkLength(4);
                return super.dispatch(key);
            case 0x8d: case 0x8e: case 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
                checkLength(8);
                return super.dispatch(key);
            case 'c': { // GLOBAL
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(global(module, name));
                return NO_RETURN_VALUE;
            }
            case 0x93: { // STACK_GLOBAL
                Object name = stack.pop(), module = stack.pop();
                if (!(name instanceof String) || !(module instanceof String))
                    throw new UnsafePickleException("STACK_GLOBAL", "malformed STACK_GLOBAL operands");
                stack.add(global((String) module, (String) name));
                return NO_RETURN_VALUE;
            }
            case 'i': { // INST
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                global(module, name);
                throw new UnsafePickleException(module + "." + name, "INST opcode (protocol 0 instance of " + module + "." + name + ") is not supported");
            }
            case 'o':
                throw new UnsafePickleException("OBJ", "OBJ opcode is not supported");
            case 0x82: case 0x83: case 0x84:
                throw new UnsafePickleException("EXT", "extension-registry opcodes (EXT1/2/4) are not supported");
            case 'P':
                throw new UnsafePickleException("PERSID", "text persistent ids are not supported");
            case 'Q': { // BINPERSID
                Object pid = stack.pop();
                if (!(pid instanceof Object[])) throw new UnsafePickleException("BINPERSID", "persistent id is not a tuple: " + describe(pid));
                if (resolver == null) throw new UnsafePickleException("BINPERSID", "persistent id " + describe(pid) + " in a pickle that has no storages");
                stack.add(resolver.resolve((Object[]) pid));
                return NO_RETURN_VALUE;
            }
            case '}': // EMPTY_DICT: keep insertion order
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            case 'd': { // DICT
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i + 1 < items.size(); i += 2) m.put(hashable(items.get(i), "DICT"), items.get(i + 1));
                stack.add(m);
                return NO_RETURN_VALUE;
            }
            case 'u': { // SETITEMS, preserving order
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof Map)) throw new UnsafePickleException("SETITEMS", "SETITEMS on a non-dict");
                @SuppressWarnings("unchecked") Map<Object, Object> m = (Map<Object, Object>) target;
                for (int i = 0; i + 1 < items.size(); i += 2) m.put(hashable(items.get(i), "SETITEMS"), items.get(i + 1));
                return NO_RETURN_VALUE;
            }
            case 's': { // SETITEM
                Object v = stack.pop(), k = stack.pop();
                Object target = stack.peek();
                if (!(target instanceof Map)) throw new UnsafePickleException("SETITEM", "SETITEM on a non-dict");
                @SuppressWarnings("unchecked") Map<Object, Object> m = (Map<Object, Object>) target;
                m.put(hashable(k, "SETITEM"), v);
                return NO_RETURN_VALUE;
            }
            case 0x8f: // EMPTY_SET: insertion ordered, elements checked as below
                stack.add(new LinkedHashSet<Object>());
                return NO_RETURN_VALUE;
            case 0x90: { // ADDITEMS
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof Set)) throw new UnsafePickleException("ADDITEMS", "ADDITEMS on a non-set");
                @SuppressWarnings("unchecked") Set<Object> set = (Set<Object>) target;
                for (Object x : items) set.add(hashable(x, "ADDITEMS"));
                return NO_RETURN_VALUE;
            }
            case 0x91: { // FROZENSET
                List<Object> items = stack.pop_all_since_marker();
                Set<Object> set = new LinkedHashSet<>();
                for (Object x : items) set.add(hashable(x, "FROZENSET"));
                stack.add(set);
                return NO_RETURN_VALUE;
            }
            case 'R': { // REDUCE
                Object args = stack.pop();
                Object fn = stack.pop();
                stack.add(call(fn, args, false));
                return NO_RETURN_VALUE;
            }
            case 0x81: { // NEWOBJ
                Object args = stack.pop();
                Object cls = stack.pop();
                stack.add(call(cls, args, true));
                return NO_RETURN_VALUE;
            }
            case 0x92: { // NEWOBJ_EX
                stack.pop(); // kwargs
                Object args = stack.pop();
                Object cls = stack.pop();
                stack.add(call(cls, args, true));
                return NO_RETURN_VALUE;
            }
            case 'b': { // BUILD
                Object state = stack.pop();
                build(stack.peek(), state);
                return NO_RETURN_VALUE;
            }
            default:
                return super.dispatch(key);
        }
    }

    /** Longest rendering of a pickled value in a message. */
    static final int DESCRIBE_CHARS = 200;

    /**
     * A short rendering of a pickled value for error messages: at most {@value #DESCRIBE_CHARS}
     * characters, three levels and eight items per container, whatever the value (a structure of
     * shared references can be exponentially large as a string).
     */
    static String describe(Object o) {
        StringBuilder sb = new StringBuilder();
        describe(o, sb, 0);
        return sb.length() > DESCRIBE_CHARS ? sb.substring(0, DESCRIBE_CHARS) + "..." : sb.toString();
    }

    private static void describe(Object o, StringBuilder sb, int depth) {
        if (sb.length() > DESCRIBE_CHARS) return;
        if (o instanceof Global g) { sb.append(g.qualified()); return; }
        if (o instanceof String str) { sb.append('\'').append(str.length() > 60 ? str.substring(0, 60) + "..." : str).append('\''); return; }
        if (o == null || o instanceof Number || o instanceof Boolean) { sb.append(o); return; }
        if (o instanceof byte[] b) { sb.append("bytes[").append(b.length).append(']'); return; }
        Iterable<?> items;
        String open, close;
        if (o instanceof Object[] a) { items = Arrays.asList(a); open = "("; close = ")"; }
        else if (o instanceof List<?> l) { items = l; open = "["; close = "]"; }
        else if (o instanceof Collection<?> c) { items = c; open = "{"; close = "}"; }
        else if (o instanceof Map<?, ?> m) { items = m.keySet(); open = "{"; close = ": ...}"; }
        else { sb.append(o.getClass().getSimpleName()); return; }
        if (depth >= 3) { sb.append(open).append("...").append(close); return; }
        sb.append(open);
        int n = 0;
        for (Object x : items) {
            if (n++ == 8 || sb.length() > DESCRIBE_CHARS) { sb.append("..."); break; }
            describe(x, sb, depth + 1);
            sb.append(", ");
        }
        sb.append(close);
    }

    /** Python refuses lists, dicts and sets as dict keys or set elements; so do we (before anything hashes them). */
    private static Object hashable(Object k, String op) throws UnsafePickleException {
        if (k instanceof Map || k instanceof Collection)
            throw new UnsafePickleException(op, op + ": unhashable dict key or set element " + describe(k) + " (a list, dict or set): refusing the pickle");
        return k;
    }

    private static Object[] tuple(Object args, String what) throws UnsafePickleException {
        if (args instanceof Object[]) return (Object[]) args;
        throw new UnsafePickleException(what, "arguments of " + what + " are not a tuple");
    }

    @SuppressWarnings("unchecked")
    private Object call(Object fn, Object rawArgs, boolean newobj) throws IOException {
        if (!(fn instanceof Global))
            throw new UnsafePickleException(describe(fn), "REDUCE/NEWOBJ on a non-global callable: " + describe(fn));
        Global g = (Global) fn;
        String q = g.qualified();
        Object[] a = tuple(rawArgs, q);
        if (NVIDIA_MODULES.contains(g.module())) return new PickledObject(q);
        switch (q) {
            case "collections.OrderedDict":
            case "builtins.dict":
            case "dnnlib.util.EasyDict":
            case "dnnlib.EasyDict": {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (a.length > 0 && a[0] != null) addItems(m, a[0], q);
                return m;
            }
            case "builtins.set": case "builtins.frozenset": case "__builtin__.set": case "__builtin__.frozenset": {
                Set<Object> s = new LinkedHashSet<>();
                Collection<Object> src = a.length > 0 && a[0] instanceof Collection ? (Collection<Object>) a[0]
                        : a.length > 0 && a[0] instanceof Object[] ? Arrays.asList((Object[]) a[0]) : List.of();
                for (Object x : src) s.add(hashable(x, q));
                return s;
            }
            case "builtins.list":
                return a.length > 0 && a[0] instanceof Collection ? new ArrayList<>((Collection<Object>) a[0]) : new ArrayList<>();
            case "builtins.tuple":
            case "torch.Size":
                if (a.length == 0) return new Object[0];
                if (a[0] instanceof Object[]) return a[0];
                if (a[0] instanceof Collection) return ((Collection<Object>) a[0]).toArray();
                throw new UnsafePickleException(q, q + " with unexpected argument " + describe(a[0]));
            case "torch.device":
                if (a.length > 0 && !(a[0] instanceof String)) throw new UnsafePickleException(q, "torch.device of " + describe(a[0]));
                return a.length > 0 ? (String) a[0] : "cpu";
            case "_codecs.encode": {
                if (a.length < 1 || !(a[0] instanceof String)) throw new UnsafePickleException(q, "_codecs.encode with a non-string argument");
                if (a.length > 1 && !(a[1] instanceof String)) throw new UnsafePickleException(q, "_codecs.encode with encoding " + describe(a[1]));
                String enc = a.length > 1 ? (String) a[1] : "utf-8";
                if (!enc.equalsIgnoreCase("latin1") && !enc.equalsIgnoreCase("latin-1"))
                    throw new UnsafePickleException(q, "_codecs.encode with encoding " + enc + " is not supported");
                return ((String) a[0]).getBytes(StandardCharsets.ISO_8859_1);
            }
            case "copyreg._reconstructor": {
                if (a.length < 1 || !(a[0] instanceof Global)) throw new UnsafePickleException(q, "copyreg._reconstructor of a non-class");
                Global cls = (Global) a[0];
                if (NVIDIA_MODULES.contains(cls.module()) || cls.qualified().equals("argparse.Namespace"))
                    return new PickledObject(cls.qualified());
                return call(cls, new Object[0], true);
            }
            case "argparse.Namespace": {
                PickledObject o = new PickledObject(q);
                return o;
            }
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
                return rebuildTensor(a, q);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                if (a.length < 1) throw new UnsafePickleException(q, q + " without arguments");
                return a[0];
            case "torch.storage._load_from_bytes":
                if (a.length != 1 || !(a[0] instanceof byte[])) throw new UnsafePickleException(q, q + " expects one bytes argument");
                return bytesLoader.load((byte[]) a[0]);
            case "numpy.dtype":
                if (a.length < 1 || !(a[0] instanceof String)) throw new UnsafePickleException(q, "numpy.dtype with unexpected arguments");
                return new NumpyDtype((String) a[0]);
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                return numpyScalar(a, q);
            case "torch_utils.persistence._reconstruct_persistent_obj":
                return persistent(a, q);
            default:
                throw new UnsafePickleException(q, "global '" + q + "' may not be called (nothing was executed)");
        }
    }

    @SuppressWarnings("unchecked")
    private static void addItems(Map<Object, Object> m, Object items, String q) throws UnsafePickleException {
        if (items instanceof Map) { m.putAll((Map<Object, Object>) items); return; }   // keys already checked when that dict was built
        Collection<Object> c = items instanceof Object[] ? List.of((Object[]) items) : items instanceof Collection ? (Collection<Object>) items : null;
        if (c == null) throw new UnsafePickleException(q, q + " with unexpected argument " + describe(items));
        for (Object kv : c) {
            Object[] p = kv instanceof Object[] ? (Object[]) kv : kv instanceof List ? ((List<Object>) kv).toArray() : null;
            if (p == null || p.length != 2) throw new UnsafePickleException(q, q + " item is not a pair: " + describe(kv));
            m.put(hashable(p[0], q), p[1]);
        }
    }

    private static long[] longs(Object o, String what) throws UnsafePickleException {
        Object[] a = o instanceof Object[] ? (Object[]) o : o instanceof List ? ((List<?>) o).toArray() : null;
        if (a == null) throw new UnsafePickleException(what, what + ": expected a tuple of ints, got " + describe(o));
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            if (!(a[i] instanceof Number)) throw new UnsafePickleException(what, what + ": expected ints, got " + describe(o));
            r[i] = ((Number) a[i]).longValue();
        }
        return r;
    }

    private static Object rebuildTensor(Object[] a, String q) throws UnsafePickleException {
        if (a.length < 4 || !(a[0] instanceof TorchStorage) || !(a[1] instanceof Number))
            throw new UnsafePickleException(q, q + " with unexpected arguments " + describe(a));
        long[] size = longs(a[2], q + " size");
        long[] stride = longs(a[3], q + " stride");
        if (size.length != stride.length) throw new UnsafePickleException(q, q + ": size and stride ranks differ");
        return new TensorRef((TorchStorage) a[0], ((Number) a[1]).longValue(), size, stride);
    }

    private static Object numpyScalar(Object[] a, String q) throws UnsafePickleException {
        if (a.length != 2 || !(a[0] instanceof NumpyDtype) || !(a[1] instanceof byte[]))
            throw new UnsafePickleException(q, q + " with unexpected arguments");
        NumpyDtype dt = (NumpyDtype) a[0];
        ByteBuffer b = ByteBuffer.wrap((byte[]) a[1]).order(dt.byteOrder == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        String c = dt.code.replaceAll("^[<>=|]", "");
        switch (c) {
            case "f8": case "float64": return b.getDouble();
            case "f4": case "float32": return (double) b.getFloat();
            case "i8": case "int64": return b.getLong();
            case "i4": case "int32": return (long) b.getInt();
            case "u1": case "uint8": return (long) (b.get() & 0xff);
            case "b1": case "bool": return b.get() != 0;
            default: throw new UnsafePickleException(q, "numpy scalar of dtype " + dt.code + " is not supported");
        }
    }

    @SuppressWarnings("unchecked")
    private static Object persistent(Object[] a, String q) throws UnsafePickleException {
        if (a.length != 1 || !(a[0] instanceof Map)) throw new UnsafePickleException(q, q + " expects one dict argument");
        Map<Object, Object> meta = (Map<Object, Object>) a[0];
        Object type = meta.get("type"), cls = meta.get("class_name"), state = meta.get("state");
        if (!"class".equals(type) || !(cls instanceof String))
            throw new UnsafePickleException(q, "NVIDIA persistent object with unexpected meta (type=" + describe(type) + ", class_name=" + describe(cls) + ")");
        // meta['module_src'] is source code: it is dropped, never executed.
        PickledObject o = new PickledObject((String) cls);
        if (state instanceof Map) for (Map.Entry<Object, Object> e : ((Map<Object, Object>) state).entrySet())
            o.state().put(key(e.getKey()), e.getValue());
        else if (state != null) throw new UnsafePickleException(q, "NVIDIA persistent object " + describe(cls) + " has a non-dict state");
        return o;
    }

    /** An attribute name: a string in any real pickle; anything else is rendered short. */
    private static String key(Object k) {
        return k instanceof String str ? str : describe(k);
    }

    @SuppressWarnings("unchecked")
    private static void build(Object target, Object state) throws UnsafePickleException {
        if (state == null) return;
        if (target instanceof NumpyDtype) {
            if (state instanceof Object[] && ((Object[]) state).length > 1 && ((Object[]) state)[1] instanceof String) {
                String bo = (String) ((Object[]) state)[1];
                if (!bo.isEmpty()) ((NumpyDtype) target).byteOrder = bo.charAt(0);
            }
            return;
        }
        Object dictState = state;
        if (state instanceof Object[] && ((Object[]) state).length == 2) { // (dict state, slot state)
            Object[] s = (Object[]) state;
            Map<Object, Object> merged = new LinkedHashMap<>();
            if (s[0] instanceof Map) merged.putAll((Map<Object, Object>) s[0]);
            if (s[1] instanceof Map) merged.putAll((Map<Object, Object>) s[1]);
            dictState = merged;
        }
        if (target instanceof PickledObject && dictState instanceof Map) {
            for (Map.Entry<Object, Object> e : ((Map<Object, Object>) dictState).entrySet())
                ((PickledObject) target).state().put(key(e.getKey()), e.getValue());
            return;
        }
        if (target instanceof Map) return; // attributes of a dict (e.g. a state dict's _metadata): not data we need
        if (target instanceof TensorRef) return; // tensor/parameter python-side attributes: irrelevant
        throw new UnsafePickleException("BUILD", "BUILD on unsupported object " + (target == null ? "None" : target.getClass().getSimpleName()));
    }

}
