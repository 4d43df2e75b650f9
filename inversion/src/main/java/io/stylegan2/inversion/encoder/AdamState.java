package io.stylegan2.inversion.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with the same arithmetic as {@code io.stylegan2.core.optim.Adam} (torch semantics,
 * bias-corrected moments, eps added to the corrected root), updating arrays in place, with its
 * moments and step count exposed so a checkpoint can restore it exactly (the core class keeps its
 * state private).
 */
final class AdamState {
    private final double beta1, beta2, eps;
    private final Map<String, INDArray> m = new HashMap<>(), v = new HashMap<>();
    private long t;

    AdamState(double beta1, double beta2, double eps) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    long steps() {
        return t;
    }

    /** One update of every array in {@code params} with the gradient of the same name. */
    void step(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
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
            INDArray denom = Transforms.sqrt(vi.div(bc2), false).addi(eps);
            p.subi(mi.div(bc1).divi(denom).muli(lr));
        }
    }

    /** Moments as {@code m/<name>}, {@code v/<name>}. */
    Map<String, INDArray> export() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String n : List.copyOf(m.keySet())) {
            out.put("m/" + n, m.get(n));
            out.put("v/" + n, v.get(n));
        }
        return out;
    }

    void restore(Map<String, INDArray> tensors, long steps) {
        m.clear();
        v.clear();
        tensors.forEach((k, a) -> {
            if (k.startsWith("m/")) m.put(k.substring(2), a.dup());
            else if (k.startsWith("v/")) v.put(k.substring(2), a.dup());
        });
        t = steps;
    }
}
