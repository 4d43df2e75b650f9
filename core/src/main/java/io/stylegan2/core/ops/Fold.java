package io.stylegan2.core.ops;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p><b>Thread safety:</b> The static registry of live constants is guarded by a lock on it, so
 * every method is safe to call from any thread; a SameDiff instance itself is not thread-safe, so
 * build one graph from one thread.
 */
public final class Fold {
    /**
     * Live constant names by graph, keyed by the graph's identity and held weakly (a graph's entry
     * goes with the graph). Identity, not {@code equals}: a SameDiff's hash code changes as ops are added.
     */
    private static final Map<Integer, List<LiveEntry>> LIVE = new HashMap<>();

    private record LiveEntry(WeakReference<SameDiff> graph, Set<String> names) {}

    private Fold() {}

    /** Marks a constant as live: never folded (its array is updated in place elsewhere); returns it. */
    public static SDVariable live(SDVariable constant) {
        if (constant.getVariableType() != VariableType.CONSTANT)
            throw new IllegalArgumentException("only a constant can be live, '" + constant.name() + "' is a " + constant.getVariableType());
        synchronized (LIVE) {
            Set<String> names = liveNames(constant.getSameDiff());
            if (names == null) {
                LIVE.values().forEach(l -> l.removeIf(e -> e.graph().get() == null));
                LIVE.values().removeIf(List::isEmpty);
                names = new HashSet<>();
                LIVE.computeIfAbsent(System.identityHashCode(constant.getSameDiff()), k -> new ArrayList<>())
                        .add(new LiveEntry(new WeakReference<>(constant.getSameDiff()), names));
            }
            names.add(constant.name());
        }
        return constant;
    }

    /** Whether {@code v} was marked {@link #live}. */
    public static boolean isLive(SDVariable v) {
        synchronized (LIVE) {
            Set<String> names = liveNames(v.getSameDiff());
            return names != null && names.contains(v.name());
        }
    }

    private static Set<String> liveNames(SameDiff sd) {
        List<LiveEntry> l = LIVE.get(System.identityHashCode(sd));
        if (l != null) for (LiveEntry e : l) if (e.graph().get() == sd) return e.names();
        return null;
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
