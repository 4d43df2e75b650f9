package io.stylegan2.core.optim;

import io.stylegan2.core.engine.Engine;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) over named SameDiff variables, updated in place, with the learning rate
 * given per step (so callers can run schedules such as the NVIDIA projector's ramp). Matches
 * {@code torch.optim.Adam} (bias-corrected moments, {@code eps} added to the corrected root).
 *
 * <pre>{@code
 * Adam adam = new Adam(sd, List.of("ws"), 0.9, 0.999, 1e-8);
 * for (int step = 0; step < n; step++) {
 *     Map<String, INDArray> grads = sd.calculateGradients(feed, adam.names());
 *     adam.step(grads, lrAt(step));
 * }
 * }</pre>
 *
 * <p>It can also update plain arrays ({@link #Adam(double, double, double)} with
 * {@link #step(Map, Map, double)}), and its state (moments and step count) can be exported and
 * restored for exact checkpoint/resume.
 *
 * <p>Hand-written rather than ND4J's {@code AdamUpdater}: that one adds {@code eps} to the
 * uncorrected root and folds the bias correction into the rate, so it drifts from
 * {@code torch.optim.Adam} (which the parity tests against NVlabs' projector and PTI need), takes
 * its rate from a schedule object rather than per call, and has no state export for exact resume.
 *
 * <p><b>Thread safety:</b> Not thread-safe: the moments and step count are mutated by {@link #step}
 * and the parameters are updated in place; use one instance per optimisation (or guard it
 * externally). {@link #export()} returns the live moment arrays.
 */
public final class Adam {
    private final SameDiff sd;
    private final List<String> names;
    private final double beta1, beta2, eps;
    private final Map<String, INDArray> m = new HashMap<>(), v = new HashMap<>();
    private long t;

    /** Unbound: updates the arrays given to {@link #step(Map, Map, double)}. */
    public Adam(double beta1, double beta2, double eps) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) throw new IllegalArgumentException("Adam: invalid betas/eps");
        this.sd = null;
        this.names = List.of();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** With torch's defaults (betas 0.9, 0.999; eps 1e-8). */
    public Adam(SameDiff sd, Collection<String> names) {
        this(sd, names, 0.9, 0.999, 1e-8);
    }

    public Adam(SameDiff sd, Collection<String> names, double beta1, double beta2, double eps) {
        Engine.get(); // optimising means building gradients: the engine's stdout filter keeps SameDiff's chatter off
        if (names.isEmpty()) throw new IllegalArgumentException("Adam: no variables to optimise");
        for (String n : names) {
            SDVariable var = sd.getVariable(n);
            if (var == null) throw new IllegalArgumentException("Adam: graph has no variable '" + n + "'");
            if (var.getArr() == null) throw new IllegalArgumentException("Adam: variable '" + n + "' has no array (placeholders cannot be optimised)");
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) throw new IllegalArgumentException("Adam: invalid betas/eps");
        this.sd = sd;
        this.names = List.copyOf(new ArrayList<>(names));
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** The optimised variable names (ask {@code calculateGradients} for these). */
    public String[] names() {
        return names.toArray(new String[0]);
    }

    /** Steps taken so far. */
    public long steps() {
        return t;
    }

    /**
     * One update: {@code p -= lr * mhat / (sqrt(vhat) + eps)} for every variable.
     *
     * @param grads gradients by variable name (every optimised variable must have one)
     * @param lr    learning rate of this step
     */
    public void step(Map<String, INDArray> grads, double lr) {
        if (sd == null) throw new IllegalStateException("Adam: not bound to a graph; use step(params, grads, lr)");
        Map<String, INDArray> params = new java.util.LinkedHashMap<>();
        for (String n : names) params.put(n, sd.getVariable(n).getArr());
        step(params, grads, lr);
    }

    /**
     * One update of every array in {@code params} (in place) with the gradient of the same name.
     *
     * @param params arrays to update, by name
     * @param grads  gradients by name (every parameter must have one)
     * @param lr     learning rate of this step
     */
    public void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String n = e.getKey();
            INDArray p = e.getValue();
            INDArray g = grads.get(n);
            if (g == null) throw new IllegalArgumentException("Adam: no gradient for '" + n + "'");
            INDArray mi = m.computeIfAbsent(n, k -> p.ulike().assign(0));
            INDArray vi = v.computeIfAbsent(n, k -> p.ulike().assign(0));
            g = g.castTo(p.dataType());
            mi.muli(beta1).addi(g.mul(1 - beta1));
            vi.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = org.nd4j.linalg.ops.transforms.Transforms.sqrt(vi.div(bc2), false).addi(eps);
            p.subi(mi.div(bc1).divi(denom).muli(lr));
        }
    }

    /** The moments as {@code m/<name>} and {@code v/<name>} (live arrays; copy before mutating). */
    public Map<String, INDArray> export() {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        for (String n : new java.util.TreeSet<>(m.keySet())) {
            out.put("m/" + n, m.get(n));
            out.put("v/" + n, v.get(n));
        }
        return out;
    }

    /** Restores moments exported by {@link #export()} and the step count, for an exact resume. */
    public void restore(Map<String, INDArray> moments, long steps) {
        m.clear();
        v.clear();
        moments.forEach((k, a) -> {
            if (k.startsWith("m/")) m.put(k.substring(2), a.dup());
            else if (k.startsWith("v/")) v.put(k.substring(2), a.dup());
            else throw new IllegalArgumentException("Adam: unexpected state entry '" + k + "'");
        });
        t = steps;
    }

    /** Forgets the moments (e.g. when the NVIDIA projector restarts). */
    public void reset() {
        m.clear();
        v.clear();
        t = 0;
    }
}
