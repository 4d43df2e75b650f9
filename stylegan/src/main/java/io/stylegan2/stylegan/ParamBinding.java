package io.stylegan2.stylegan;

import io.stylegan2.core.ops.Fold;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Binds a {@link ParameterStore} into one SameDiff graph: each parameter becomes a constant
 * (frozen) or a variable (trainable, chosen by the caller's predicate), then passes through the
 * {@link WeightOverride}. Each parameter is created once per graph.
 *
 * <p><b>Thread safety:</b> Not thread-safe (an unsynchronised cache, and a SameDiff is not
 * thread-safe): use one binding per graph, from one thread. Several bindings may share one
 * {@link ParameterStore}.
 */
public final class ParamBinding {
    private final SameDiff sd;
    private final ParameterStore store;
    private final Predicate<String> trainable;
    private final WeightOverride override;
    private final String prefix;
    private final boolean live;
    private final Map<String, SDVariable> bound = new HashMap<>();

    /**
     * @param prefix    prefix of the graph variable names (e.g. "G/" or "D/"), so G and D can share a graph
     * @param trainable which parameters become trainable variables (the rest are constants)
     * @param override  parameter replacement hook ({@link WeightOverride#NONE} for none)
     */
    public ParamBinding(SameDiff sd, ParameterStore store, String prefix, Predicate<String> trainable, WeightOverride override) {
        this(sd, store, prefix, trainable, override, false);
    }

    private ParamBinding(SameDiff sd, ParameterStore store, String prefix, Predicate<String> trainable, WeightOverride override, boolean live) {
        this.live = live;
        this.sd = sd;
        this.store = store;
        this.prefix = prefix == null ? "" : prefix;
        this.trainable = trainable == null ? n -> false : trainable;
        this.override = override == null ? WeightOverride.NONE : override;
    }

    /** Frozen parameters, no override. */
    public static ParamBinding frozen(SameDiff sd, ParameterStore store, String prefix) {
        return new ParamBinding(sd, store, prefix, n -> false, WeightOverride.NONE);
    }

    /**
     * A binding to arrays that a training loop updates in place: trainable parameters become
     * variables holding the store's own arrays (no copy: an optimiser's in-place update of the store
     * is what the next run reads), the others {@link Fold#live live} constants (never folded at
     * build time). Several graphs bound this way to one store share its arrays.
     */
    public static ParamBinding live(SameDiff sd, ParameterStore store, String prefix, Predicate<String> trainable) {
        return new ParamBinding(sd, store, prefix, trainable, WeightOverride.NONE, true);
    }

    public SameDiff sd() {
        return sd;
    }

    public ParameterStore store() {
        return store;
    }

    /** The graph variable for parameter {@code name} (after the override). */
    public SDVariable get(String name) {
        SDVariable v = bound.get(name);
        if (v != null) return v;
        String graphName = prefix + name;
        SDVariable base;
        if (trainable.test(name)) base = sd.var(graphName, live ? store.get(name) : store.get(name).dup('c'));
        else base = live ? Fold.live(sd.constant(graphName, store.get(name))) : sd.constant(graphName, store.get(name));
        v = override.apply(name, base);
        bound.put(name, v);
        return v;
    }

    /** Graph variable name of parameter {@code name} before the override (for trainable lookups). */
    public String graphName(String name) {
        return prefix + name;
    }
}
