package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Replaces a network parameter inside a graph: the hook behind PTI, GANI and near-perfect
 * inversion, which train {@code theta + delta} (or a network producing {@code delta}) while the
 * frozen original stays shared. Called once per parameter per graph, with the parameter's
 * canonical name and its graph variable (graph layout, see {@link ParameterStore}).
 *
 * <p><b>Thread safety:</b> Called from the thread that builds the graph; implementations need not
 * be thread-safe. {@link #NONE} is stateless; {@link WeightOffsets} keeps state, so use one per
 * graph.
 */
@FunctionalInterface
public interface WeightOverride {
    /** Leaves every parameter as it is. */
    WeightOverride NONE = (name, theta) -> theta;

    /** @return the variable to use in place of {@code theta} (same shape) */
    SDVariable apply(String name, SDVariable theta);
}
