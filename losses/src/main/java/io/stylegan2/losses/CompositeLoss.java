package io.stylegan2.losses;

import io.stylegan2.core.optim.Objective;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A weighted sum of named scalar loss terms in one SameDiff graph, the {@link Objective} of an
 * {@link io.stylegan2.core.optim.OptimisationLoop}:
 * {@code total = sum_i weight_i * term_i}. Each term keeps its own graph variable
 * ({@code loss/<name>}), so a training step can report every term's value alongside the total.
 *
 * <pre>{@code
 * CompositeLoss loss = CompositeLoss.builder(sd)
 *         .add("mse", 1.0, Pixelwise.mse(img, target))
 *         .add("lpips", 1.0, lpips.distance(img, target).mean())
 *         .build();                     // registers loss.total() as the graph's loss variable
 * Map<String, INDArray> out = sd.output(placeholders, loss.outputNames());
 * Map<String, Double> values = loss.values(out);   // {"mse": ..., "lpips": ..., "total": ...}
 * }</pre>
 *
 * <p><b>Thread safety:</b> Immutable once built (its variables belong to one SameDiff graph, which
 * is not thread-safe); {@link #values} and {@link #outputNames} are safe from any thread. The
 * {@link Builder} is not thread-safe.
 */
public final class CompositeLoss implements Objective {
    /** Name of the total in {@link #values}. */
    public static final String TOTAL = Objective.TOTAL;

    private final SDVariable total;
    private final Map<String, SDVariable> terms;
    private final Map<String, Double> weights;

    private CompositeLoss(SDVariable total, Map<String, SDVariable> terms, Map<String, Double> weights) {
        this.total = total;
        this.terms = Collections.unmodifiableMap(terms);
        this.weights = Collections.unmodifiableMap(weights);
    }

    public static Builder builder(SameDiff sd) {
        return new Builder(sd);
    }

    /** The weighted sum (a scalar), registered as the graph's loss variable by {@link Builder#build()}. */
    public SDVariable total() {
        return total;
    }

    /** Each term's (unweighted) scalar variable, by name, in insertion order. */
    public Map<String, SDVariable> terms() {
        return terms;
    }

    /** Each term's weight, by name. */
    public Map<String, Double> weights() {
        return weights;
    }

    /** Graph variable names of every term and of the total, for {@code sd.output(..., names)}. */
    @Override
    public String[] outputNames() {
        String[] n = new String[terms.size() + 1];
        int i = 0;
        for (SDVariable v : terms.values()) n[i++] = v.name();
        n[i] = total.name();
        return n;
    }

    /** Unweighted term values and the total ({@value #TOTAL}) from the outputs of a run. */
    @Override
    public Map<String, Double> values(Map<String, INDArray> outputs) {
        Map<String, Double> m = new LinkedHashMap<>();
        terms.forEach((name, v) -> m.put(name, scalar(outputs, v.name())));
        m.put(TOTAL, scalar(outputs, total.name()));
        return m;
    }

    private static double scalar(Map<String, INDArray> outputs, String var) {
        INDArray a = outputs.get(var);
        if (a == null) throw new IllegalArgumentException("outputs hold no value for loss variable '" + var + "' (request outputNames())");
        if (a.length() != 1) throw new IllegalArgumentException("loss variable '" + var + "' is not a scalar: shape " + java.util.Arrays.toString(a.shape()));
        return a.getDouble(0);
    }

    /**
     * Collects terms; names must be unique.
     *
     * <p><b>Thread safety:</b> Not thread-safe: use one builder per graph, from one thread.
     */
    public static final class Builder {
        private final SameDiff sd;
        private final Map<String, SDVariable> terms = new LinkedHashMap<>();
        private final Map<String, Double> weights = new LinkedHashMap<>();

        private Builder(SameDiff sd) {
            this.sd = sd;
        }

        /**
         * Adds a term. A term with weight 0 is still computed and reported but does not contribute.
         *
         * @param name   unique term name (also the variable name {@code loss/<name>})
         * @param weight its weight in the total (finite)
         * @param term   a scalar variable of this graph
         */
        public Builder add(String name, double weight, SDVariable term) {
            if (name == null || name.isBlank() || name.equals(TOTAL)) throw new IllegalArgumentException("invalid loss term name '" + name + "'");
            if (terms.containsKey(name)) throw new IllegalArgumentException("duplicate loss term '" + name + "'");
            if (!Double.isFinite(weight)) throw new IllegalArgumentException("weight of loss term '" + name + "' must be finite, got " + weight);
            if (term.getSameDiff() != sd) throw new IllegalArgumentException("loss term '" + name + "' belongs to another graph");
            terms.put(name, sd.identity("loss/" + name, term.reshape()));
            weights.put(name, weight);
            return this;
        }

        /** Builds the total and registers it as the graph's (only) loss variable. */
        public CompositeLoss build() {
            if (terms.isEmpty()) throw new IllegalStateException("a loss needs at least one term");
            SDVariable total = null;
            for (Map.Entry<String, SDVariable> e : terms.entrySet()) {
                SDVariable w = e.getValue().mul(weights.get(e.getKey()));
                total = total == null ? w : total.add(w);
            }
            total = sd.identity("loss/" + TOTAL, total);
            sd.setLossVariables(total);
            return new CompositeLoss(total, new LinkedHashMap<>(terms), new LinkedHashMap<>(weights));
        }
    }
}
