package io.stylegan2.core.optim;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * What an {@link OptimisationLoop} reports each step: the graph outputs to request and how to turn
 * them into named scalars (loss terms and their total). {@code io.stylegan2.losses.CompositeLoss}
 * is the usual implementation.
 *
 * <p><b>Thread safety:</b> Called only from the thread that runs the loop, one step at a time;
 * implementations need not be thread-safe. The implementations of this library are immutable after
 * construction.
 */
public interface Objective {
    /** Name of the value that must stay finite and is minimised. */
    String TOTAL = "total";

    /** Graph variable names to request from a run. */
    String[] outputNames();

    /** Named scalars, {@value #TOTAL} included, from the outputs of a run. */
    Map<String, Double> values(Map<String, INDArray> outputs);
}
