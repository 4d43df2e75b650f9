package io.stylegan2.stylegan;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frozen parameters of one network under canonical (NVlabs state-dict) names, kept in the
 * layout the SameDiff graphs consume, converted once at load time:
 * <ul>
 *   <li>conv weights: PyTorch {@code [outC, inC, kH, kW]} to ND4J {@code [kH, kW, inC, outC]};</li>
 *   <li>everything else unchanged (fully connected weights stay {@code [out, in]}).</li>
 * </ul>
 * {@link #toCanonical()} converts back, so a store round-trips exactly. Shared read-only by every
 * graph built from it; methods that tune weights add offsets in their own graphs instead of copying.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the arrays are not copied on access (and a
 * {@link #shared} store holds the caller's), so it is safe to share as long as no thread mutates
 * them, e.g. a training loop updating them in place.
 */
public final class ParameterStore {
    private final Map<String, INDArray> graphLayout;
    private final DataType dataType;

    private ParameterStore(Map<String, INDArray> graphLayout, DataType dataType) {
        this.graphLayout = Collections.unmodifiableMap(graphLayout);
        this.dataType = dataType;
    }

    /**
     * From canonical names and PyTorch layouts; values are cast to {@code dataType}. The fixed
     * {@code resample_filter} buffers some sources carry are dropped (the config defines the filter).
     */
    public static ParameterStore fromCanonical(Map<String, INDArray> canonical, DataType dataType) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : canonical.entrySet()) {
            if (e.getKey().endsWith("resample_filter")) continue;
            INDArray v = e.getValue().castTo(dataType);
            m.put(e.getKey(), toGraphLayout(e.getKey(), v).dup('c'));
        }
        return new ParameterStore(m, dataType);
    }

    /**
     * A store over the caller's arrays (graph layout, by canonical name), not copied: a training
     * loop updates them in place and every graph bound with {@link ParamBinding#live} reads the
     * current values. The arrays must be c-ordered and of {@code dataType}.
     */
    public static ParameterStore shared(Map<String, INDArray> graphLayout, DataType dataType) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        graphLayout.forEach((k, v) -> {
            if (v.dataType() != dataType || v.ordering() != 'c' || v.isView())
                throw new IllegalArgumentException("shared parameter '" + k + "' must be a c-ordered " + dataType + " array that is not a view");
            m.put(k, v);
        });
        return new ParameterStore(m, dataType);
    }

    /** One tensor from PyTorch layout to graph layout (conv weights permuted; a view). */
    public static INDArray graphLayout(String name, INDArray v) {
        return toGraphLayout(name, v);
    }

    /** One tensor from graph layout back to PyTorch layout (conv weights permuted; a view). */
    public static INDArray canonicalLayout(String name, INDArray v) {
        return toCanonicalLayout(name, v);
    }

    static INDArray toGraphLayout(String name, INDArray v) {
        if (name.endsWith(".weight") && v.rank() == 4) return v.permute(2, 3, 1, 0);
        return v;
    }

    static INDArray toCanonicalLayout(String name, INDArray v) {
        if (name.endsWith(".weight") && v.rank() == 4) return v.permute(3, 2, 0, 1);
        return v;
    }

    /** The parameter in graph layout; a clear error if absent. */
    public INDArray get(String name) {
        INDArray v = graphLayout.get(name);
        if (v == null) throw new IllegalArgumentException("parameter '" + name + "' not found (have " + graphLayout.size() + " tensors)");
        return v;
    }

    /** Whether a parameter exists. */
    public boolean has(String name) {
        return graphLayout.containsKey(name);
    }

    /** All names, in load order. */
    public Iterable<String> names() {
        return graphLayout.keySet();
    }

    public DataType dataType() {
        return dataType;
    }

    /** Total number of scalars whose name starts with {@code prefix} ("" for all). */
    public long count(String prefix) {
        long n = 0;
        for (Map.Entry<String, INDArray> e : graphLayout.entrySet()) if (e.getKey().startsWith(prefix)) n += e.getValue().length();
        return n;
    }

    /** Copies back to canonical names and PyTorch layouts. */
    public Map<String, INDArray> toCanonical() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        graphLayout.forEach((k, v) -> m.put(k, toCanonicalLayout(k, v).dup('c')));
        return m;
    }

    /** Checks that {@code name} exists with the given PyTorch-layout shape; message names both shapes. */
    void expectCanonicalShape(String name, long... shape) {
        INDArray v = graphLayout.get(name);
        if (v == null) throw new IllegalArgumentException("missing parameter '" + name + "', expected shape " + Arrays.toString(shape));
        long[] actual = toCanonicalLayout(name, v).shape();
        if (!Arrays.equals(actual, shape))
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(actual) + ", expected " + Arrays.toString(shape));
    }
}
