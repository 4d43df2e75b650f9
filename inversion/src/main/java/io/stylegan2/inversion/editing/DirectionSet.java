package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Safetensors;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several directions in one file.
 *
 * <p>File format ({@value #FORMAT}): one safetensors file, written atomically; tensor
 * {@code direction/<i>} (float32) holds direction {@code i}'s vector; the metadata holds
 * {@code format} and {@code directions}, a JSON array of
 * {@code {"name", "space": "W"|"W+", "tensor", "start", "end" (-1 = through the last row), "scale", "method", "params"}}
 * in file order. Vectors are float64 in memory, float32 on disk.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the list is an immutable copy, and its directions
 * are safe to share as long as no thread mutates their vectors (see {@link Direction}).
 * {@link #save} and {@link #load} are safe to call from any thread (the static {@code ObjectMapper}
 * is never reconfigured).
 */
public record DirectionSet(List<Direction> directions) {
    public static final String FORMAT = "stylegan2-jvm/directions/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    public DirectionSet {
        directions = List.copyOf(directions);
        Set<String> names = new HashSet<>();
        for (Direction d : directions)
            if (!names.add(d.name())) throw new IllegalArgumentException("duplicate direction name '" + d.name() + "'");
    }

    public int size() {
        return directions.size();
    }

    public Direction get(int index) {
        if (index < 0 || index >= directions.size())
            throw new IllegalArgumentException("direction index " + index + " out of range: the set has " + directions.size() + " directions");
        return directions.get(index);
    }

    /** By name; a clear error listing the names when absent. */
    public Direction get(String name) {
        for (Direction d : directions) if (d.name().equals(name)) return d;
        throw new IllegalArgumentException("no direction named '" + name + "' (have " + names() + ")");
    }

    /** By name, or by index when {@code nameOrIndex} is an integer and no direction has that name. */
    public Direction select(String nameOrIndex) {
        for (Direction d : directions) if (d.name().equals(nameOrIndex)) return d;
        try {
            return get(Integer.parseInt(nameOrIndex.trim()));
        } catch (NumberFormatException e) {
            return get(nameOrIndex);
        }
    }

    public List<String> names() {
        return directions.stream().map(Direction::name).toList();
    }

    /** Writes the set atomically (see the class comment for the format). */
    public void save(Path file) throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        List<Map<String, Object>> meta = new ArrayList<>();
        for (int i = 0; i < directions.size(); i++) {
            Direction d = directions.get(i);
            String t = "direction/" + i;
            tensors.put(t, d.vector());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("space", d.space().label());
            m.put("tensor", t);
            m.put("start", d.start());
            m.put("end", d.end().isPresent() ? d.end().getAsInt() : -1);   // the file format's -1: through the last row
            m.put("scale", d.scale());
            m.put("method", d.provenance().method());
            m.put("params", d.provenance().params());
            meta.add(m);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("directions", JSON.writeValueAsString(meta));
        Safetensors.write(file, tensors, metadata);
    }

    /** Reads a set written by {@link #save}; errors name the file and the direction. */
    public static DirectionSet load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        if (!FORMAT.equals(c.metadata().get("format")))
            throw new IOException(file + ": not a direction file (format = " + c.metadata().get("format") + ", expected " + FORMAT + ")");
        List<Map<String, Object>> meta;
        try {
            meta = JSON.readValue(c.metadata().getOrDefault("directions", "[]"), new TypeReference<>() {});
        } catch (IOException e) {
            throw new IOException(file + ": bad 'directions' metadata: " + e.getMessage(), e);
        }
        List<Direction> out = new ArrayList<>();
        for (Map<String, Object> m : meta) {
            String name = String.valueOf(m.get("name"));
            try {
                INDArray v = c.tensors().get(String.valueOf(m.get("tensor")));
                if (v == null) throw new IOException("tensor " + m.get("tensor") + " is missing");
                @SuppressWarnings("unchecked")
                Map<String, Object> params = m.get("params") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
                int end = ((Number) m.get("end")).intValue();
                out.add(new Direction(name, LatentSpace.parse(String.valueOf(m.get("space"))), v,
                        ((Number) m.get("start")).intValue(), end == -1 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(end),
                        ((Number) m.get("scale")).doubleValue(), new Provenance(String.valueOf(m.get("method")), params)));
            } catch (RuntimeException e) {
                throw new IOException(file + ": direction '" + name + "': " + e.getMessage(), e);
            }
        }
        return new DirectionSet(out);
    }

    @Override
    public String toString() {
        return "DirectionSet" + Arrays.toString(names().toArray());
    }
}
