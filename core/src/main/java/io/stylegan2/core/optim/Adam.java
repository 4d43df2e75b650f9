package io.stylegan2.core.optim;

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
 */
public final class Adam {
    private final SameDiff sd;
    private final List<String> names;
    private final double beta1, beta2, eps;
    private final Map<String, INDArray> m = new HashMap<>(), v = new HashMap<>();
    private long t;

    /** With torch's defaults (betas 0.9, 0.999; eps 1e-8). */
    public Adam(SameDiff sd, Collection<String> names) {
        this(sd, names, 0.9, 0.999, 1e-8);
    }

    public Adam(SameDiff sd, Collection<String> names, double beta1, double beta2, double eps) {
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
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (String n : names) {
            INDArray g = grads.get(n);
            if (g == null) throw new IllegalArgumentException("Adam: no gradient for '" + n + "'");
            INDArray p = sd.getVariable(n).getArr();
            INDArray mi = m.computeIfAbsent(n, k -> p.ulike().assign(0));
            INDArray vi = v.computeIfAbsent(n, k -> p.ulike().assign(0));
            g = g.castTo(p.dataType());
            mi.muli(beta1).addi(g.mul(1 - beta1));
            vi.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = org.nd4j.linalg.ops.transforms.Transforms.sqrt(vi.div(bc2), false).addi(eps);
            p.subi(mi.div(bc1).divi(denom).muli(lr));
        }
    }

    /** Forgets the moments (e.g. when the NVIDIA projector restarts). */
    public void reset() {
        m.clear();
        v.clear();
        t = 0;
    }
}
