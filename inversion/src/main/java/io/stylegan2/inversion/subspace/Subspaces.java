package io.stylegan2.inversion.subspace;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Safetensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Channel subspaces of one synthesis block: the self-expression matrix and a cluster label per
 * channel, with the settings that made them. Saved in the native format (safetensors: tensors
 * {@code matrix [C, C]} and {@code labels [C]}, metadata {@code format = stylegan2-subspaces/1},
 * {@code block}, {@code clusters} and the {@code settings} JSON).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the arrays are copies made at construction, but the
 * accessors return them (do not mutate).
 *
 * @param block    the block, e.g. {@code b8}
 * @param matrix   {@code M (1 - I)}, {@code [C, C]} float64
 * @param labels   per channel, {@code 0 .. clusters-1}, 0 the largest cluster
 * @param clusters number of clusters K
 * @param settings how it was made (self-expressive layer and clustering settings, measurements)
 */
public record Subspaces(String block, INDArray matrix, int[] labels, int clusters, Map<String, Object> settings) {
    /** The {@code format} metadata of the file. */
    public static final String FORMAT = "stylegan2-subspaces/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Subspaces {
        Objects.requireNonNull(block, "block");
        long c = matrix.size(0);
        if (matrix.rank() != 2 || matrix.size(1) != c) throw new IllegalArgumentException("subspaces " + block + ": matrix must be [C, C], got " + Arrays.toString(matrix.shape()));
        if (labels.length != c) throw new IllegalArgumentException("subspaces " + block + ": " + labels.length + " labels for " + c + " channels");
        for (int l : labels) if (l < 0 || l >= clusters) throw new IllegalArgumentException("subspaces " + block + ": label " + l + " outside 0.." + (clusters - 1));
        matrix = matrix.castTo(DataType.DOUBLE).dup();
        labels = labels.clone();
        settings = Map.copyOf(settings);
    }

    /** Channels per cluster. */
    public int[] sizes() {
        int[] s = new int[clusters];
        for (int l : labels) s[l]++;
        return s;
    }

    /** The binary channel mask of cluster {@code k}: {@code [C]} float, 1 on its channels. */
    public INDArray mask(int k) {
        if (k < 0 || k >= clusters) throw new IllegalArgumentException("cluster " + k + " outside 0.." + (clusters - 1));
        float[] m = new float[labels.length];
        for (int i = 0; i < m.length; i++) m[i] = labels[i] == k ? 1f : 0f;
        return Nd4j.createFromArray(m);
    }

    public void save(Path file) throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("matrix", matrix.castTo(DataType.FLOAT));
        t.put("labels", Nd4j.createFromArray(Arrays.stream(labels).mapToDouble(i -> i).toArray()).castTo(DataType.FLOAT));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("block", block);
        meta.put("clusters", Integer.toString(clusters));
        meta.put("settings", JSON.writeValueAsString(settings));
        Safetensors.write(file, t, meta);
    }

    /** Reads a file written by {@link #save}; errors name the file. */
    public static Subspaces load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        if (!FORMAT.equals(c.metadata().get("format")))
            throw new IOException(file + ": not a subspaces file (format = " + c.metadata().get("format") + ", expected " + FORMAT + ")");
        try {
            INDArray m = c.tensors().get("matrix"), l = c.tensors().get("labels");
            if (m == null || l == null) throw new IllegalArgumentException("needs tensors 'matrix' and 'labels'");
            double[] lv = l.castTo(DataType.DOUBLE).toDoubleVector();
            int[] labels = Arrays.stream(lv).mapToInt(x -> (int) x).toArray();
            Map<String, Object> settings = JSON.readValue(c.metadata().getOrDefault("settings", "{}"), new TypeReference<>() {});
            return new Subspaces(c.metadata().get("block"), m, labels, Integer.parseInt(c.metadata().getOrDefault("clusters", "0")), settings);
        } catch (RuntimeException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
