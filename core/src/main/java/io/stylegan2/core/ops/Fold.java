package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.function.UnaryOperator;

/**
 * Build-time constant folding of weight transforms (SameDiff M2.1 does none): when a layer's weight
 * is a graph constant (frozen weights, e.g. in latent optimisation), a transform of it such as a
 * flip, a permutation or the demodulation's {@code sum(w^2)} is evaluated once when the graph is
 * built, with the very same ops on a scratch graph, and enters the graph as a constant; otherwise
 * (trainable weights, offsets, modulated weights) the ops are added to the graph as usual.
 */
public final class Fold {
    private Fold() {}

    /** {@code f(w)}: a constant if {@code w} is one, else the ops of {@code f} in {@code w}'s graph. */
    public static SDVariable ifConstant(SDVariable w, UnaryOperator<SDVariable> f) {
        if (w.getVariableType() == VariableType.CONSTANT && w.getArr() != null) {
            SameDiff scratch = SameDiff.create();
            INDArray folded = f.apply(scratch.constant(w.getArr())).eval();
            return w.getSameDiff().constant(folded.dup());
        }
        return f.apply(w);
    }
}
