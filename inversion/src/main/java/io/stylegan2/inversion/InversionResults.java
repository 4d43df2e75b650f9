package io.stylegan2.inversion;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Files of an {@link InversionResult}; {@link #save} / {@link #load} are the one codec of
 * {@link Reconstruction}s.
 *
 * <ul>
 * <li><b>Native</b> ({@value #FORMAT}): one safetensors file, every tensor F32:
 *     <ul>
 *       <li>{@code ws [1, num_ws, w_dim]} (the latent) and {@code image [1, C, R, R]} (the reconstruction);</li>
 *       <li>{@code latent/feature_offset/<block>} (W+F latents);</li>
 *       <li>{@code hooks/noise/<layer>}, {@code hooks/padding/<layer>}, {@code hooks/feature_mask/<block>},
 *           {@code hooks/const} (the {@link io.stylegan2.stylegan.HookState});</li>
 *       <li>{@code delta/<canonical parameter>} (weight offsets, PyTorch layout);</li>
 *       <li>{@code extras/<name>}.</li>
 *     </ul>
 *     Metadata (strings): {@code format}, {@code method}, {@code target}, {@code latent_space}
 *     ({@code w}, {@code w_plus}, {@code w_plus_features}), {@code noise_mode}, and JSON texts
 *     {@code config}, {@code history}, {@code metrics}, {@code timing}, {@code notes}.
 *     {@link #save} then {@link #load} gives back an equal result (tested).
 *     <p>Files of the previous format ({@value #FORMAT_V1}: {@code ws}, {@code reconstruction},
 *     {@code extras/<name>}) still load: {@code extras/delta/*} become the weight offsets, and for
 *     the {@code w} method {@code extras/noise/*} become the hooks' noise maps (other methods kept
 *     their pivot's noise maps as extras, which their reconstruction did not use).</li>
 * <li><b>NVIDIA</b> {@code projected_w.npz}: what {@code np.savez(path, w=ws)} writes, a zip
 *     (stored, uncompressed) holding {@code w.npy} float32 {@code [1, num_ws, w_dim]}; the official
 *     {@code generate.py --projected-w} reads it.</li>
 * <li><b>rosinality</b>: its projector saves a torch pickle ({@code {file: {"img", "latent", "noise"}}});
 *     the CLI {@code invert} writes that layout as {@code projected_rosinality.pt} with
 *     {@code io.stylegan2.converter.TorchWriter} (PyTorch zip format). {@link #writeLatentNpy} writes {@code latent.npy}
 *     float32 {@code [num_ws, w_dim]}, the layout of its {@code "latent"} entry with {@code --w_plus}
 *     (load it in Python with {@code torch.from_numpy(np.load(...))}).</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the static
 * {@code ObjectMapper} is never reconfigured after class initialisation). The arrays being written
 * must not be mutated during the call.
 */
public final class InversionResults {
    /** Native format id. */
    public static final String FORMAT = "stylegan2-inversion/2";
    /** The previous native format, still read. */
    public static final String FORMAT_V1 = "stylegan2-inversion/1";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXTRA = "extras/", DELTA = "delta/", NOISE = "hooks/noise/", PADDING = "hooks/padding/",
            MASK = "hooks/feature_mask/", CONST = "hooks/const", FEATURE = "latent/feature_offset/";

    private InversionResults() {}

    /** Writes the native file atomically. */
    public static void save(InversionResult r, Path file) throws IOException {
        Reconstruction rec = r.reconstruction();
        HookState h = rec.hooks();
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("ws", rec.latent().ws());
        t.put("image", r.image());
        rec.latent().featureOffsets().forEach((k, v) -> t.put(FEATURE + k, v));
        h.noise().forEach((k, v) -> t.put(NOISE + k, v));
        h.padding().forEach((k, v) -> t.put(PADDING + k, v));
        h.featureMasks().forEach((k, v) -> t.put(MASK + k, v));
        if (h.constInput() != null) t.put(CONST, h.constInput());
        rec.weightOffsets().forEach((k, v) -> t.put(DELTA + k, v));
        rec.extras().forEach((k, v) -> t.put(EXTRA + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("method", r.method());
        meta.put("target", r.targetName());
        meta.put("latent_space", rec.latent().space().id());
        meta.put("noise_mode", h.noiseMode().name().toLowerCase(Locale.ROOT));
        meta.put("config", JSON.writeValueAsString(r.config()));
        meta.put("history", JSON.writeValueAsString(r.history()));
        meta.put("metrics", JSON.writeValueAsString(r.metrics()));
        meta.put("timing", JSON.writeValueAsString(r.timing()));
        meta.put("notes", JSON.writeValueAsString(r.notes()));
        Safetensors.write(file, t, meta);
    }

    /** Reads a native file written by {@link #save} (or by the previous format, see the class comment). */
    public static InversionResult load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> m = c.metadata();
        String format = m.get("format");
        if (!FORMAT.equals(format) && !FORMAT_V1.equals(format))
            throw new IOException(file + ": not an inversion result (format '" + format + "', expected " + FORMAT + ")");
        boolean v1 = FORMAT_V1.equals(format);
        try {
            String method = m.get("method");
            INDArray ws = require(c, "ws", file), image = require(c, v1 ? "reconstruction" : "image", file);
            Map<String, INDArray> features = new LinkedHashMap<>(), noise = new LinkedHashMap<>(), padding = new LinkedHashMap<>(),
                    masks = new LinkedHashMap<>(), deltas = new LinkedHashMap<>(), extras = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (v1) {
                    if (!k.startsWith(EXTRA)) return;
                    String e = k.substring(EXTRA.length());
                    if (e.startsWith(DELTA)) deltas.put(e.substring(DELTA.length()), v);
                    else if (e.startsWith("noise/") && "w".equals(method)) noise.put(e.substring("noise/".length()), v);
                    else extras.put(e, v);
                    return;
                }
                if (k.startsWith(FEATURE)) features.put(k.substring(FEATURE.length()), v);
                else if (k.startsWith(NOISE)) noise.put(k.substring(NOISE.length()), v);
                else if (k.startsWith(PADDING)) padding.put(k.substring(PADDING.length()), v);
                else if (k.startsWith(MASK)) masks.put(k.substring(MASK.length()), v);
                else if (k.startsWith(DELTA)) deltas.put(k.substring(DELTA.length()), v);
                else if (k.startsWith(EXTRA)) extras.put(k.substring(EXTRA.length()), v);
            });
            NoiseMode mode = m.get("noise_mode") == null ? NoiseMode.CONST : NoiseMode.parse(m.get("noise_mode"));
            HookState hooks = new HookState(mode, noise, padding, null, masks, c.tensors().get(CONST));
            Latent latent = new Latent(LatentSpace.parse(m.get("latent_space")), ws, features);
            return new InversionResult(method, m.get("target"), new Reconstruction(latent, hooks, deltas, extras), image,
                    JSON.readValue(m.get("config"), new TypeReference<LinkedHashMap<String, Object>>() {}),
                    JSON.readValue(m.get("history"), new TypeReference<List<LinkedHashMap<String, Double>>>() {}).stream()
                            .map(x -> (Map<String, Double>) x).toList(),
                    JSON.readValue(m.get("metrics"), ReconstructionMetrics.class),
                    JSON.readValue(m.get("timing"), Timing.class),
                    JSON.readValue(m.get("notes"), new TypeReference<List<String>>() {}));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": corrupt inversion result: " + e.getMessage(), e);
        }
    }

    private static INDArray require(Safetensors.Contents c, String name, Path file) throws IOException {
        INDArray a = c.tensors().get(name);
        if (a == null) throw new IOException(file + ": no tensor '" + name + "'");
        return a;
    }

    /** NVIDIA's {@code projected_w.npz}: entry {@code w.npy}, float32 {@code [1, num_ws, w_dim]}. */
    public static void writeProjectedWNpz(INDArray ws, Path file) throws IOException {
        if (ws.rank() != 3) throw new IllegalArgumentException("ws must be [N, num_ws, w_dim]");
        writeNpz(file, Map.of("w", ws));
    }

    /** An {@code np.savez}-style archive: one stored (uncompressed) {@code <name>.npy} entry per array, float32. */
    public static void writeNpz(Path file, Map<String, INDArray> arrays) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                Npy.write(buf, e.getValue(), DataType.FLOAT);
                byte[] b = buf.toByteArray();
                CRC32 crc = new CRC32();
                crc.update(b);
                ZipEntry z = new ZipEntry(e.getKey() + ".npy");
                z.setMethod(ZipEntry.STORED);
                z.setSize(b.length);
                z.setCompressedSize(b.length);
                z.setCrc(crc.getValue());
                zip.putNextEntry(z);
                zip.write(b);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Reads every {@code .npy} entry of an {@code .npz} archive ({@link Npy#readNpz}). */
    public static Map<String, INDArray> readNpz(Path file) throws IOException {
        return Npy.readNpz(file);
    }

    /** {@code latent.npy}: float32 {@code [num_ws, w_dim]} (the rosinality {@code --w_plus} latent layout). */
    public static void writeLatentNpy(InversionResult r, Path file) throws IOException {
        Npy.writeFloat32(file, r.latentRows());
    }
}
