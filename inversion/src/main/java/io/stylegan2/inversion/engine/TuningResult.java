package io.stylegan2.inversion.engine;

import io.stylegan2.core.optim.OptimisationLoop;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a generator tuning (PTI, near-perfect inversion, and methods to come).
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the maps are unmodifiable copies, but the arrays
 * and the loop's result are not copied, so it is safe to share as long as no thread mutates them.
 *
 * @param weightOffsets trained offsets {@code delta} by canonical parameter name, in the graph layout of
 *                      {@code ParameterStore} (conv weights {@code [kH, kW, inC, outC]}); the tuned generator is
 *                      {@code theta + delta} ({@code PatchedGenerator}, {@code ManifoldDrift.measure}, or
 *                      {@code Reconstruction.tuned} to save them)
 * @param image         the tuned generator's image of the latent {@code [1, C, R, R]} at the final weights (raw range)
 * @param run           the loop's history, steps, stop flag and time
 * @param extras        what else the tuning trained (e.g. an alternating discriminator's parameters), by name; may be empty
 * @param setupSeconds  graph construction
 */
public record TuningResult(Map<String, INDArray> weightOffsets, INDArray image, OptimisationLoop.Result run,
                           Map<String, INDArray> extras, double setupSeconds) {
    public TuningResult {
        weightOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(weightOffsets));
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras == null ? Map.of() : extras));
    }

    public List<Map<String, Double>> history() {
        return run.history();
    }

    /** Updates made. */
    public int steps() {
        return run.steps();
    }

    /** Whether the stop rule ended the run before the step budget. */
    public boolean stoppedEarly() {
        return run.stoppedEarly();
    }

    /** Milliseconds per evaluation of the loop. */
    public double msPerStep() {
        return run.msPerEvaluation();
    }

    /** {@code term} at the first evaluation (before any update); NaN when absent. */
    public double first(String term) {
        Double v = run.history().isEmpty() ? null : run.history().get(0).get(term);
        return v == null ? Double.NaN : v;
    }

    /** {@code term} at the last evaluation; NaN when absent. */
    public double last(String term) {
        return run.lastValue(term);
    }
}
