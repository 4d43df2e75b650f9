package io.stylegan2.core.ops;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Build-time constant folding of weight transforms (SameDiff M2.1 does none): when a layer's weight
 * is a graph constant (frozen weights, e.g. in latent optimisation), a transform of it such as a
 * flip, a permutation or the demodulation's {@code sum(w^2)} is evaluated once when the graph is
 * built, with the very same ops on a scratch graph, and enters the graph as a constant; otherwise
 * (trainable weights, offsets, modulated weights) the ops are added to the graph as usual.
 *
 * <p>A <em>live</em> constant ({@link #live}) is a constant whose array another graph updates in
 * place between runs (a training loop's discriminator weights inside the generator's step graph):
 * it gets a constant's cheap backward but is never folded, so every run reads its current values.
 */
public final class Fold {
    /** Live constants by graph (weak keys: a graph's entry goes with the graph). */
    private static final Map<SameDiff, Set<String>> LIVE = Collections.synchronizedMap(new WeakHashMap<>());

    private Fold() {}

    /** Marks a constant as live: never folded (its array is updated in place elsewhere); returns it. */
    public static SDVariable live(SDVariable constant) {
        if (constant.getVariableType() != VariableType.CONSTANT)
            throw new IllegalArgumentException("only a constant can be live, '" + constant.name() + "' is a " + constant.getVariableType());
        LIVE.computeIfAbsent(constant.getSameDiff(), k -> ConcurrentHashMap.newKeySet()).add(constant.name());
        return constant;
    }

    /** Whether {@code v} was marked {@link #live}. */
    public static boolean isLive(SDVariable v) {
        Set<String> s = LIVE.get(v.getSameDiff());
        return s != null && s.contains(v.name());
    }

    /** {@code f(w)}: a constant if {@code w} is one (and not {@link #live}), else the ops of {@code f} in {@code w}'s graph. */
    public static SDVariable ifConstant(SDVariable w, UnaryOperator<SDVariable> f) {
        if (w.getVariableType() == VariableType.CONSTANT && w.getArr() != null && !isLive(w)) {
            SameDiff scratch = SameDiff.create();
            INDArray folded = f.apply(scratch.constant(w.getArr())).eval();
            return w.getSameDiff().constant(folded.dup());
        }
        return f.apply(w);
    }

    /**
     * Whether {@code v} is, or is computed from, a trainable variable (a SameDiff VARIABLE), i.e.
     * whether a gradient can flow through it; false for values computed from constants and
     * placeholders only (frozen weights, the latents of a rendering graph).
     */
    public static boolean dependsOnVariable(SDVariable v) {
        SameDiff sd = v.getSameDiff();
        Deque<String> todo = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        todo.push(v.name());
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (!seen.add(n)) continue;
            SDVariable x = sd.getVariable(n);
            if (x.getVariableType() == VariableType.VARIABLE) return true;
            if (x.getVariableType() != VariableType.ARRAY) continue;
            DifferentialFunction op = sd.getVariableOutputOp(n);
            if (op == null) continue;
            for (SDVariable a : op.args()) todo.push(a.name());
        }
        return false;
    }
}
