package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Per-parameter offsets {@code theta + delta}: for every parameter selected by the predicate a
 * trainable variable {@code delta/<name>} (zeros by default, graph layout) is created, so with zero
 * deltas the network is exactly the original. Use one instance per graph.
 *
 * <p><b>Thread safety:</b> Not thread-safe: {@link #apply} records the deltas in an unsynchronised
 * map; use one instance per graph, built from one thread. The {@code initial} arrays are not copied
 * until applied.
 */
public final class WeightOffsets implements WeightOverride {
    private final Predicate<String> selected;
    private final Map<String, INDArray> initial;
    private final Map<String, SDVariable> deltas = new LinkedHashMap<>();

    /** Offsets for the parameters whose names match, starting at zero. */
    public WeightOffsets(Predicate<String> selected) {
        this(selected, Map.of());
    }

    /** Offsets starting at given values (graph layout), e.g. a saved PTI result; others start at zero. */
    public WeightOffsets(Predicate<String> selected, Map<String, INDArray> initial) {
        this.selected = selected;
        this.initial = initial;
    }

    /** Every synthesis parameter (what PTI tunes). */
    public static WeightOffsets synthesis() {
        return new WeightOffsets(n -> n.startsWith("synthesis."));
    }

    @Override
    public SDVariable apply(String name, SDVariable theta) {
        if (!selected.test(name)) return theta;
        SameDiff sd = theta.getSameDiff();
        INDArray init = initial.get(name);
        INDArray arr = init != null ? init.castTo(theta.dataType()).dup('c') : Nd4j.zeros(theta.dataType(), theta.getShape());
        SDVariable delta = sd.var("delta/" + name, arr);
        deltas.put(name, delta);
        return theta.add(name + "+delta", delta);
    }

    /** The delta variables created so far, by parameter name (to train, read or save). */
    public Map<String, SDVariable> deltas() {
        return Collections.unmodifiableMap(deltas);
    }
}
