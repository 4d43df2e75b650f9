package io.stylegan2.converter;

import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.CanonicalLayout;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts StyleGAN2 checkpoints to the native format ({@link NativeModel}) without executing any
 * code from them.
 *
 * <p>Recognised inputs (autodetected from the bytes, then from the keys):
 * <ul>
 *   <li>rosinality/stylegan2-pytorch checkpoints ({@code torch.save} zip or legacy) with
 *       {@code g_ema} / {@code g} / {@code d} / {@code latent_avg} entries, or a bare rosinality
 *       Generator / Discriminator state dict ({@link RosinalityNames});</li>
 *   <li>NVlabs stylegan2-ada-pytorch plain state dicts ({@code torch.save(G_ema.state_dict())},
 *       {@code D.state_dict()}); names are already canonical;</li>
 *   <li>NVIDIA training pickles ({@code network-snapshot-*.pkl}: a plain pickle with {@code G},
 *       {@code D}, {@code G_ema}, ...): the persistent modules are rebuilt as data
 *       ({@link PickledObject}), flattened to state-dict names, and their {@code _init_kwargs}
 *       supply lr_multiplier, conv_clamp, mbstd group size and architecture;</li>
 *   <li>a native model file (re-validated and rewritten).</li>
 * </ul>
 * Several inputs may be given at once (or a folder): they are merged, e.g. NVlabs
 * {@code G_ema.state_dict.pt} + {@code D.state_dict.pt}. A folder contributes its
 * {@code G_ema.state_dict.pt} (else {@code G.state_dict.pt}) and {@code D.state_dict.pt}.
 *
 * <p>The configs are inferred from the tensor shapes (z/w dims, mapping depth, channel table,
 * resolution, image channels, mbstd channels) plus {@link ConvertOptions} for what the weights do
 * not tell. Every expected tensor ({@link CanonicalLayout}) must be present with its expected shape;
 * {@code resample_filter} / blur-kernel buffers are dropped; other unknown tensors are dropped with a
 * warning. All tensors are stored as float32. Output is written atomically: on any error no output
 * file exists.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each conversion
 * has its own readers and buffers; the output is written atomically). {@link SourceFormat} is
 * immutable.
 */
public final class Converter {
    private static final Logger log = LoggerFactory.getLogger(Converter.class);
    private static final Pattern SYN_BLOCK = Pattern.compile("synthesis\\.b(\\d+)\\.");
    private static final Pattern D_FROMRGB = Pattern.compile("b(\\d+)\\.fromrgb\\.weight");

    private Converter() {}

    /** The kind of checkpoint a source was recognised as. */
    public enum SourceFormat { ROSINALITY, NVLABS_STATE_DICT, NVIDIA_PICKLE, NATIVE }

    /** Converts one file (or a folder, see the class doc) and writes {@code out} atomically. */
    public static NativeModel convert(Path in, Path out, ConvertOptions options) throws IOException {
        return convert(List.of(in), out, options);
    }

    /** Converts and merges several inputs and writes {@code out} atomically. */
    public static NativeModel convert(List<Path> inputs, Path out, ConvertOptions options) throws IOException {
        NativeModel m = load(inputs, options);
        m.write(out);
        log.debug("wrote {} ({} generator tensors, {} discriminator tensors)", out, m.generator().size(),
                m.hasDiscriminator() ? m.discriminator().size() : 0);
        return m;
    }

    /** Converts in memory (nothing is written). */
    public static NativeModel load(List<Path> inputs, ConvertOptions options) throws IOException {
        if (options == null) options = ConvertOptions.defaults();
        Parts parts = new Parts();
        for (Path in : expand(inputs)) read(in, options, parts);
        if (parts.g == null) throw new IOException("no generator found in " + inputs);
        return build(parts, options);
    }

    /** Tensors and kwargs collected from the inputs. */
    private static final class Parts {
        Map<String, INDArray> g, d;
        Map<String, Object> gKwargs = Map.of(), dKwargs = Map.of();
        Path gFile, dFile;
        List<String> sources = new ArrayList<>();
        NativeModel nativeModel;
    }

    private static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> r = new ArrayList<>();
        for (Path p : inputs) {
            if (!Files.isDirectory(p)) {
                if (!Files.isRegularFile(p)) throw new IOException(p + ": no such file");
                r.add(p);
                continue;
            }
            Path g = p.resolve("G_ema.state_dict.pt");
            if (!Files.isRegularFile(g)) g = p.resolve("G.state_dict.pt");
            if (!Files.isRegularFile(g)) throw new IOException(p + ": folder has no G_ema.state_dict.pt or G.state_dict.pt");
            r.add(g);
            Path d = p.resolve("D.state_dict.pt");
            if (Files.isRegularFile(d)) r.add(d);
        }
        return r;
    }

    private static void read(Path in, ConvertOptions o, Parts parts) throws IOException {
        TorchFiles.Format f = TorchFiles.detect(in);
        String name = in.getFileName().toString();
        switch (f) {
            case SAFETENSORS: {
                Safetensors.Contents c = Safetensors.read(in);
                if (NativeModel.FORMAT.equals(c.metadata().get("format"))) {
                    NativeModel m = NativeModel.read(in);
                    setG(parts, in, m.generator(), Map.of());
                    if (m.hasDiscriminator() && o.includeDiscriminator()) setD(parts, in, m.discriminator(), Map.of());
                    parts.nativeModel = m;
                    parts.sources.add(name + " (" + SourceFormat.NATIVE + ")");
                } else {
                    classifyStateDict(in, new LinkedHashMap<>(c.tensors()), o, parts, "safetensors");
                }
                return;
            }
            case TORCH_ZIP:
            case TORCH_LEGACY: {
                Object obj = TorchFiles.load(in);
                if (!(obj instanceof Map)) throw new IOException(in + ": torch file holds a " + typeName(obj) + ", expected a dict");
                classifyStateDict(in, (Map<?, ?>) obj, o, parts, f == TorchFiles.Format.TORCH_ZIP ? "torch zip" : "torch legacy");
                return;
            }
            case PICKLE: {
                Object obj = TorchFiles.load(in);
                readNvidiaPickle(in, obj, o, parts);
                return;
            }
            default:
                throw new IOException(in + ": unrecognised file format (not torch.save zip/legacy, pickle or safetensors)");
        }
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o instanceof PickledObject ? ((PickledObject) o).className() : o.getClass().getSimpleName();
    }

    private static void classifyStateDict(Path in, Map<?, ?> m, ConvertOptions o, Parts parts, String container) throws IOException {
        String name = in.getFileName().toString();
        if (m.get("g_ema") instanceof Map || m.get("g") instanceof Map || m.get("d") instanceof Map) {
            Object g = m.get(o.generator());
            if (!(g instanceof Map))
                throw new IOException(in + ": rosinality checkpoint has no '" + o.generator() + "' generator (keys: " + TorchFiles.keys(m) + ")");
            INDArray avg = m.get("latent_avg") instanceof INDArray ? (INDArray) m.get("latent_avg") : null;
            if (avg == null) log.warn("{}: no latent_avg in the checkpoint: mapping.w_avg will be absent (truncation needs it computed)", in);
            RosinalityNames.Mapped gm = RosinalityNames.generator(tensors(in, (Map<?, ?>) g), avg);
            warnUnmapped(in, o.generator(), gm.unmapped());
            setG(parts, in, gm.tensors(), Map.of());
            if (o.includeDiscriminator() && m.get("d") instanceof Map) {
                RosinalityNames.Mapped dm = RosinalityNames.discriminator(tensors(in, (Map<?, ?>) m.get("d")));
                warnUnmapped(in, "d", dm.unmapped());
                setD(parts, in, dm.tensors(), Map.of());
            }
            parts.sources.add(name + " (" + SourceFormat.ROSINALITY + " checkpoint, " + container + ", generator " + o.generator() + ")");
            return;
        }
        Map<String, INDArray> t = tensors(in, m);
        if (t.keySet().stream().anyMatch(k -> k.startsWith("mapping.") || k.startsWith("synthesis."))) {
            setG(parts, in, t, Map.of());
            parts.sources.add(name + " (" + SourceFormat.NVLABS_STATE_DICT + " generator, " + container + ")");
        } else if (t.containsKey("b4.fc.weight")) {
            if (o.includeDiscriminator()) setD(parts, in, t, Map.of());
            parts.sources.add(name + " (" + SourceFormat.NVLABS_STATE_DICT + " discriminator, " + container + ")");
        } else if (t.containsKey("style.1.weight")) {
            RosinalityNames.Mapped gm = RosinalityNames.generator(t, null);
            warnUnmapped(in, "generator", gm.unmapped());
            log.warn("{}: bare rosinality generator state dict without latent_avg: mapping.w_avg will be absent", in);
            setG(parts, in, gm.tensors(), Map.of());
            parts.sources.add(name + " (" + SourceFormat.ROSINALITY + " generator state dict, " + container + ")");
        } else if (t.containsKey("final_linear.0.weight")) {
            RosinalityNames.Mapped dm = RosinalityNames.discriminator(t);
            warnUnmapped(in, "discriminator", dm.unmapped());
            if (o.includeDiscriminator()) setD(parts, in, dm.tensors(), Map.of());
            parts.sources.add(name + " (" + SourceFormat.ROSINALITY + " discriminator state dict, " + container + ")");
        } else {
            List<String> keys = TorchFiles.keys(m);
            throw new IOException(in + ": unrecognised checkpoint layout (keys: " + (keys.size() > 12 ? keys.subList(0, 12) + "..." : keys) + ")");
        }
    }

    private static void warnUnmapped(Path in, String what, List<String> unmapped) {
        if (!unmapped.isEmpty()) log.warn("{}: ignoring {} tensors of '{}' with no canonical counterpart: {}", in, unmapped.size(), what, unmapped);
    }

    private static Map<String, INDArray> tensors(Path in, Map<?, ?> m) {
        Map<String, INDArray> r = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof INDArray) r.put(String.valueOf(e.getKey()), (INDArray) e.getValue());
            else log.debug("{}: skipping non-tensor entry {}", in, e.getKey());
        }
        return r;
    }

    private static void setG(Parts p, Path in, Map<String, INDArray> g, Map<String, Object> kwargs) throws IOException {
        if (p.g != null) throw new IOException(in + ": a generator was already read from " + p.gFile);
        p.g = g;
        p.gFile = in;
        p.gKwargs = kwargs;
    }

    private static void setD(Parts p, Path in, Map<String, INDArray> d, Map<String, Object> kwargs) throws IOException {
        if (p.d != null) throw new IOException(in + ": a discriminator was already read from " + p.dFile);
        p.d = d;
        p.dFile = in;
        p.dKwargs = kwargs;
    }

    // ------------------------------------------------------------------ NVIDIA pickles

    private static void readNvidiaPickle(Path in, Object obj, ConvertOptions o, Parts parts) throws IOException {
        if (!(obj instanceof Map)) throw new IOException(in + ": pickle holds a " + typeName(obj) + ", expected the NVIDIA snapshot dict");
        Map<?, ?> m = (Map<?, ?>) obj;
        String gKey = o.generator().equals("g") ? "G" : "G_ema";
        Object g = m.get(gKey);
        if (!(g instanceof PickledObject))
            throw new IOException(in + ": NVIDIA pickle has no '" + gKey + "' network (keys: " + TorchFiles.keys(m) + ")");
        PickledObject gp = (PickledObject) g;
        setG(parts, in, flatten(in, gp), gp.initKwargs());
        if (o.includeDiscriminator() && m.get("D") instanceof PickledObject) {
            PickledObject dp = (PickledObject) m.get("D");
            setD(parts, in, flatten(in, dp), dp.initKwargs());
        }
        parts.sources.add(in.getFileName() + " (" + SourceFormat.NVIDIA_PICKLE + ", generator " + gKey + ")");
    }

    /** Flattens a pickled torch module tree into state-dict names. */
    static Map<String, INDArray> flatten(Path in, PickledObject module) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        flatten(in, module, "", out, 0);
        return out;
    }

    private static void flatten(Path in, PickledObject mod, String prefix, Map<String, INDArray> out, int depth) throws IOException {
        if (depth > 64) throw new IOException(in + ": module tree too deep at '" + prefix + "'");
        Map<String, Object> st = mod.state();
        Set<?> nonPersistent = st.get("_non_persistent_buffers_set") instanceof Set ? (Set<?>) st.get("_non_persistent_buffers_set") : Set.of();
        for (String kind : new String[]{"_parameters", "_buffers"}) {
            Object v = st.get(kind);
            if (v == null) continue;
            if (!(v instanceof Map)) throw new IOException(in + ": module '" + prefix + "' (" + mod.className() + ") has a non-dict " + kind);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (e.getValue() == null) continue;
                if (kind.equals("_buffers") && nonPersistent.contains(e.getKey())) continue;
                if (!(e.getValue() instanceof INDArray))
                    throw new IOException(in + ": '" + prefix + e.getKey() + "' in " + kind + " is a " + typeName(e.getValue()) + ", not a tensor");
                out.put(prefix + e.getKey(), (INDArray) e.getValue());
            }
        }
        Object mods = st.get("_modules");
        if (mods instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) mods).entrySet()) {
                if (e.getValue() == null) continue;
                if (!(e.getValue() instanceof PickledObject))
                    throw new IOException(in + ": submodule '" + prefix + e.getKey() + "' is a " + typeName(e.getValue()));
                flatten(in, (PickledObject) e.getValue(), prefix + e.getKey() + ".", out, depth + 1);
            }
        }
    }

    // ------------------------------------------------------------------ configs + validation

    private static NativeModel build(Parts p, ConvertOptions o) throws IOException {
        GeneratorConfig gc = p.nativeModel != null ? p.nativeModel.generatorConfig() : inferGenerator(p.gFile, p.g, p.gKwargs, o);
        Map<String, INDArray> g = validate(p.gFile, "generator", p.g, CanonicalLayout.generator(gc));
        DiscriminatorConfig dc = null;
        Map<String, INDArray> d = null;
        if (p.d != null) {
            dc = p.nativeModel != null && p.nativeModel.discriminatorConfig() != null && p.dFile == p.gFile
                    ? p.nativeModel.discriminatorConfig() : inferDiscriminator(p.dFile, p.d, p.dKwargs, o);
            d = validate(p.dFile, "discriminator", p.d, CanonicalLayout.discriminator(dc));
            if (dc.imgResolution() != gc.imgResolution() || dc.imgChannels() != gc.imgChannels())
                log.warn("discriminator resolution/channels ({}/{}) differ from the generator's ({}/{})",
                        dc.imgResolution(), dc.imgChannels(), gc.imgResolution(), gc.imgChannels());
        }
        requireFinite(p.gFile, "generator", g, o.allowNonFinite());
        if (d != null) requireFinite(p.dFile, "discriminator", d, o.allowNonFinite());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("source", String.join(" + ", p.sources));
        meta.put("generator", o.generator());
        return new NativeModel(gc, dc, g, d, meta);
    }

    /** Refuses (or, when allowed, warns about) tensors holding NaN or infinity, naming the file and the first such tensor. */
    private static void requireFinite(Path file, String what, Map<String, INDArray> tensors, boolean allow) throws IOException {
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            INDArray a = e.getValue();
            long bad = io.stylegan2.core.NonFinite.count(a);
            if (bad == 0) continue;
            String msg = file + ": " + what + " tensor '" + e.getKey() + "' holds " + bad + " NaN or infinite value" + (bad == 1 ? "" : "s")
                    + " of " + a.length();
            if (!allow) throw new IOException(msg + ": refusing it (such a model draws NaN or black images; --allow-non-finite converts it anyway)");
            log.warn("{} (converted anyway: allowNonFinite)", msg);
        }
    }

    private static INDArray need(Path file, Map<String, INDArray> t, String name) throws IOException {
        INDArray a = t.get(name);
        if (a == null) throw new IOException(file + ": tensor '" + name + "' is missing");
        return a;
    }

    private static long dim(Path file, Map<String, INDArray> t, String name, int axis, int rank) throws IOException {
        INDArray a = need(file, t, name);
        if (a.rank() != rank) throw new IOException(file + ": tensor '" + name + "' has shape " + Arrays.toString(a.shape()) + ", expected rank " + rank);
        return a.size(axis);
    }

    private static Map<?, ?> sub(Map<String, Object> kw, String key) {
        return kw.get(key) instanceof Map ? (Map<?, ?>) kw.get(key) : Map.of();
    }

    static GeneratorConfig inferGenerator(Path file, Map<String, INDArray> t, Map<String, Object> kw, ConvertOptions o) throws IOException {
        if (t.containsKey("mapping.embed.weight") || (kw.get("c_dim") instanceof Number && ((Number) kw.get("c_dim")).intValue() != 0))
            throw new IOException(file + ": conditional generators (c_dim > 0) are not supported");
        int layers = 0;
        while (t.containsKey("mapping.fc" + layers + ".weight")) layers++;
        if (layers == 0) throw new IOException(file + ": tensor 'mapping.fc0.weight' is missing: not a StyleGAN2 generator");
        int zDim = (int) dim(file, t, "mapping.fc0.weight", 1, 2);
        int wDim = (int) dim(file, t, "mapping.fc" + (layers - 1) + ".weight", 0, 2);
        int top = 0;
        for (String k : t.keySet()) {
            Matcher m = SYN_BLOCK.matcher(k);
            if (m.lookingAt()) top = Math.max(top, Integer.parseInt(m.group(1)));
        }
        if (top < 8) throw new IOException(file + ": no synthesis blocks above 4x4 found: not a StyleGAN2 generator");
        Map<Integer, Integer> ch = new TreeMap<>();
        ch.put(4, (int) dim(file, t, "synthesis.b4.const", 0, 3));
        for (int r = 8; r <= top; r *= 2) ch.put(r, (int) dim(file, t, "synthesis.b" + r + ".conv1.weight", 0, 4));
        int imgC = (int) dim(file, t, "synthesis.b" + top + ".torgb.weight", 0, 4);
        Map<?, ?> mk = sub(kw, "mapping_kwargs"), sk = sub(kw, "synthesis_kwargs");
        double lr = mk.get("lr_multiplier") instanceof Number ? ((Number) mk.get("lr_multiplier")).doubleValue() : o.lrMultiplier();
        Double clamp = sk.containsKey("conv_clamp") ? (sk.get("conv_clamp") instanceof Number ? ((Number) sk.get("conv_clamp")).doubleValue() : null) : o.convClamp();
        String arch = sk.get("architecture") instanceof String ? (String) sk.get("architecture") : "skip";
        if (kw.get("z_dim") instanceof Number && ((Number) kw.get("z_dim")).intValue() != zDim)
            throw new IOException(file + ": init_kwargs z_dim " + kw.get("z_dim") + " disagrees with mapping.fc0.weight (" + zDim + ")");
        try {
            return new GeneratorConfig(zDim, wDim, layers, lr, top, imgC, ch, o.resampleFilter(), clamp, arch);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": unsupported generator: " + e.getMessage(), e);
        }
    }

    static DiscriminatorConfig inferDiscriminator(Path file, Map<String, INDArray> t, Map<String, Object> kw, ConvertOptions o) throws IOException {
        int top = 0;
        for (String k : t.keySet()) {
            Matcher m = D_FROMRGB.matcher(k);
            if (m.matches()) top = Math.max(top, Integer.parseInt(m.group(1)));
        }
        if (top < 8) throw new IOException(file + ": no 'b{res}.fromrgb.weight' tensor: not a resnet StyleGAN2 discriminator");
        if (kw.get("c_dim") instanceof Number && ((Number) kw.get("c_dim")).intValue() != 0)
            throw new IOException(file + ": conditional discriminators (c_dim > 0) are not supported");
        Map<Integer, Integer> ch = new TreeMap<>();
        ch.put(top, (int) dim(file, t, "b" + top + ".fromrgb.weight", 0, 4));
        int imgC = (int) dim(file, t, "b" + top + ".fromrgb.weight", 1, 4);
        for (int r = top; r >= 8; r /= 2) ch.put(r / 2, (int) dim(file, t, "b" + r + ".conv1.weight", 0, 4));
        int c4 = ch.get(4);
        int mbstdC = (int) dim(file, t, "b4.conv.weight", 1, 4) - c4;
        if (mbstdC < 0) throw new IOException(file + ": tensor 'b4.conv.weight' has fewer input channels than b4 (" + c4 + ")");
        Map<?, ?> ek = sub(kw, "epilogue_kwargs");
        int group = ek.get("mbstd_group_size") instanceof Number ? ((Number) ek.get("mbstd_group_size")).intValue() : o.mbstdGroupSize();
        Double clamp = kw.containsKey("conv_clamp") ? (kw.get("conv_clamp") instanceof Number ? ((Number) kw.get("conv_clamp")).doubleValue() : null) : o.convClamp();
        String arch = kw.get("architecture") instanceof String ? (String) kw.get("architecture") : "resnet";
        try {
            return new DiscriminatorConfig(top, imgC, ch, group, Math.max(mbstdC, 1), o.resampleFilter(), clamp, arch);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": unsupported discriminator: " + e.getMessage(), e);
        }
    }

    /** Checks presence and shapes, drops fixed buffers and unknown tensors, converts to float32. */
    static Map<String, INDArray> validate(Path file, String what, Map<String, INDArray> t, Map<String, long[]> expected) throws IOException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray a = t.get(e.getKey());
            if (a == null) {
                if (CanonicalLayout.OPTIONAL.contains(e.getKey())) continue;
                throw new IOException(file + ": " + what + " tensor '" + e.getKey() + "' is missing (expected shape " + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(a.shape(), e.getValue()))
                throw new IOException(file + ": " + what + " tensor '" + e.getKey() + "' has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            out.put(e.getKey(), RosinalityNames.f32(a));
        }
        List<String> extra = new ArrayList<>();
        for (String k : t.keySet())
            if (!expected.containsKey(k) && !k.endsWith("resample_filter")) extra.add(k);
        if (!extra.isEmpty()) log.warn("{}: ignoring {} unexpected {} tensors: {}", file, extra.size(), what, extra);
        return out;
    }
}
