package io.stylegan2.stylegan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A converted StyleGAN2 model: configs plus float32 tensors under the canonical names of
 * {@link CanonicalLayout} (NVlabs state-dict names, PyTorch layouts).
 *
 * <p><b>File format</b> ({@value #FORMAT}): one safetensors file, every tensor F32. Generator tensors
 * are stored as {@code "G." + canonicalName} (e.g. {@code G.mapping.fc0.weight},
 * {@code G.synthesis.b8.conv0.affine.weight}), discriminator tensors as {@code "D." + canonicalName}
 * (e.g. {@code D.b32.fromrgb.weight}). Metadata (all strings):
 * <ul>
 *   <li>{@code format} = {@value #FORMAT}</li>
 *   <li>{@code generator_config}: Jackson JSON of {@link GeneratorConfig} (record component names,
 *       e.g. {@code {"zDim":64,...,"channels":{"4":64,...}}})</li>
 *   <li>{@code discriminator_config}: JSON of {@link DiscriminatorConfig}; absent when there is no D</li>
 *   <li>{@code source}: original file name(s) and detected format; other keys may be present.</li>
 * </ul>
 * The generator map never holds the {@code G.} prefix. {@code mapping.w_avg} is in the generator
 * map when the source had it ({@link #wAvg()}).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the maps are copied but the arrays are not, so it
 * is safe to share as long as no thread mutates them. The static methods are safe from any thread
 * (the shared Jackson mapper is thread-safe once configured).
 *
 * @param generatorConfig     generator constructor arguments
 * @param discriminatorConfig discriminator constructor arguments, or null when the model has no D
 * @param generator           generator tensors by canonical name (no prefix)
 * @param discriminator       discriminator tensors by canonical name, or null
 * @param metadata            file metadata (format, configs as JSON, source, ...); read-only
 */
public record NativeModel(GeneratorConfig generatorConfig, DiscriminatorConfig discriminatorConfig,
                          Map<String, INDArray> generator, Map<String, INDArray> discriminator,
                          Map<String, String> metadata) {

    /** Value of the {@code format} metadata key. */
    public static final String FORMAT = "stylegan2-jvm/1";
    /** Prefix of generator tensors in the file. */
    public static final String G_PREFIX = "G.";
    /** Prefix of discriminator tensors in the file. */
    public static final String D_PREFIX = "D.";

    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public NativeModel {
        if (generatorConfig == null) throw new IllegalArgumentException("generatorConfig is required");
        generator = Collections.unmodifiableMap(new LinkedHashMap<>(generator));
        discriminator = discriminator == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(discriminator));
        if (discriminator != null && discriminatorConfig == null) throw new IllegalArgumentException("discriminator tensors without a discriminatorConfig");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
    }

    /** The tracked average W ({@code mapping.w_avg}, shape [w_dim]), or null when the source had none. */
    public INDArray wAvg() {
        return generator.get("mapping.w_avg");
    }

    /** True when discriminator weights are present. */
    public boolean hasDiscriminator() {
        return discriminator != null;
    }

    /** JSON of a config record (as stored in the metadata). */
    public static String toJson(Object config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a config record from JSON. */
    public static <T> T fromJson(String json, Class<T> type) throws IOException {
        return JSON.readValue(json, type);
    }

    /**
     * Writes the model atomically. The configs' JSON, {@code format} and the extra entries of
     * {@link #metadata()} are written as metadata.
     */
    public void write(Path file) throws IOException {
        Map<String, INDArray> all = new LinkedHashMap<>();
        generator.forEach((k, v) -> all.put(G_PREFIX + k, v));
        if (discriminator != null) discriminator.forEach((k, v) -> all.put(D_PREFIX + k, v));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", FORMAT);
        meta.put("generator_config", toJson(generatorConfig));
        if (discriminatorConfig != null) meta.put("discriminator_config", toJson(discriminatorConfig));
        else meta.remove("discriminator_config");
        Safetensors.write(file, all, meta);
    }

    /** Reads a native model from a stream (e.g. a classpath resource); {@code name} labels errors. */
    public static NativeModel read(java.io.InputStream in, String name) throws IOException {
        return Safetensors.readStream(in, name, NativeModel::read);
    }

    /**
     * Reads a native model file and checks every tensor of {@link CanonicalLayout} is present with the
     * expected shape.
     *
     * @throws IOException naming the file (and tensor) when the file is not a {@value #FORMAT} model,
     *                     is truncated/corrupt, or does not match its config
     */
    public static NativeModel read(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format")))
            throw new IOException(file + ": not a " + FORMAT + " model file (format = " + meta.get("format") + ")");
        String gj = meta.get("generator_config");
        if (gj == null) throw new IOException(file + ": metadata has no generator_config");
        GeneratorConfig gc;
        DiscriminatorConfig dc = null;
        try {
            gc = fromJson(gj, GeneratorConfig.class);
            if (meta.get("discriminator_config") != null) dc = fromJson(meta.get("discriminator_config"), DiscriminatorConfig.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": invalid config metadata: " + e.getMessage(), e);
        }
        Map<String, INDArray> g = new LinkedHashMap<>(), d = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith(G_PREFIX)) g.put(e.getKey().substring(G_PREFIX.length()), e.getValue());
            else if (e.getKey().startsWith(D_PREFIX)) d.put(e.getKey().substring(D_PREFIX.length()), e.getValue());
            else throw new IOException(file + ": tensor '" + e.getKey() + "' has neither the G. nor the D. prefix");
        }
        check(file, "G.", g, CanonicalLayout.generator(gc));
        if (dc != null) check(file, "D.", d, CanonicalLayout.discriminator(dc));
        else if (!d.isEmpty()) throw new IOException(file + ": discriminator tensors but no discriminator_config");
        return new NativeModel(gc, dc, g, dc == null ? null : d, meta);
    }

    /** Checks that every expected tensor is present with the expected shape. */
    static void check(Path file, String prefix, Map<String, INDArray> tensors, Map<String, long[]> expected) throws IOException {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray t = tensors.get(e.getKey());
            if (t == null) {
                if (CanonicalLayout.OPTIONAL.contains(e.getKey())) continue;
                throw new IOException(file + ": tensor '" + prefix + e.getKey() + "' is missing (expected shape " + Arrays.toString(e.getValue()) + ")");
            }
            if (!Arrays.equals(t.shape(), e.getValue()))
                throw new IOException(file + ": tensor '" + prefix + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
        }
    }
}
