package io.stylegan2.inversion.pti;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link PivotalTuning#tune}.
 *
 * @param weightOffsets  trained offsets {@code delta} by canonical parameter name ({@code synthesis.*}), in the
 *                       graph layout of {@code ParameterStore} (conv weights {@code [kH, kW, inC, outC]}); the tuned
 *                       generator is {@code theta + delta}. Feed them to {@link TunedGenerator},
 *                       {@code WeightOffsets(offsets::containsKey, offsets)} or {@code ManifoldDrift.measure}.
 * @param reconstruction {@code G_tuned(pivot)} {@code [1, C, R, R]} with the final weights (raw range)
 * @param history        one entry per evaluated step (the loss at the weights before that step's update; when
 *                       stopped early the last entry is the evaluation that met the threshold, with no update)
 * @param steps          Adam updates made
 * @param stoppedEarly   whether the perceptual threshold stopped the run before {@code maxSteps}
 * @param timing         wall-clock times
 */
public record PtiResult(Map<String, INDArray> weightOffsets, INDArray reconstruction, List<Step> history,
                        int steps, boolean stoppedEarly, Timing timing) {

    /**
     * One evaluation.
     *
     * @param step   0-based index
     * @param values unweighted term values by name ({@value PivotalTuning#L2}, {@value PivotalTuning#PERCEPTUAL},
     *               {@value PivotalTuning#LOCALITY} when on) and {@code total}, from {@code CompositeLoss.values}
     */
    public record Step(int step, Map<String, Double> values) {
        public double value(String name) {
            Double v = values.get(name);
            if (v == null) throw new IllegalArgumentException("no loss term '" + name + "' in step " + step + " (have " + values.keySet() + ")");
            return v;
        }
    }

    /**
     * @param buildMillis  graph construction
     * @param tuneMillis   the optimisation loop (all evaluations and updates)
     * @param msPerStep    {@code tuneMillis} per evaluation
     */
    public record Timing(long buildMillis, long tuneMillis, double msPerStep) {}

    /** The first evaluation (at the pivot with zero offsets). */
    public Step first() {
        return history.get(0);
    }

    /** The last evaluation. */
    public Step last() {
        return history.get(history.size() - 1);
    }
}
