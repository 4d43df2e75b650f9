package io.stylegan2.inversion.nearperfect;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link NearPerfectTuning#tune}.
 *
 * @param weightOffsets  trained offsets {@code delta} by canonical parameter name ({@code synthesis.*}), graph layout
 *                       (conv weights {@code [kH, kW, inC, outC]}); the tuned generator is {@code theta + delta}
 *                       ({@code TunedGenerator}, {@code ManifoldDrift.measure})
 * @param reconstruction {@code G_tuned(w)} {@code [1, C, R, R]} with the final weights (raw range)
 * @param history        one map per evaluated step: the unweighted generator terms ({@value NearPerfectTuning#RECON},
 *                       {@value NearPerfectTuning#MSE}, {@value NearPerfectTuning#ADV_LOCAL}, {@value NearPerfectTuning#GLOBAL}
 *                       when on), {@code total}, and with an alternating discriminator its loss
 *                       ({@value NearPerfectTuning#D_LOSS}) and R1 term ({@value NearPerfectTuning#R1})
 * @param steps          generator updates made
 * @param stoppedEarly   whether the target MSE stopped the run before the budget
 * @param discriminator  the tuned discriminator copy's parameters by canonical name (graph layout) with
 *                       {@link DiscriminatorMode#ALTERNATING}, else empty
 * @param timing         wall-clock times
 */
public record NearPerfectResult(Map<String, INDArray> weightOffsets, INDArray reconstruction, List<Map<String, Double>> history,
                                int steps, boolean stoppedEarly, Map<String, INDArray> discriminator, Timing timing) {

    /**
     * @param buildMillis graph construction
     * @param tuneMillis  the loop (every evaluation, generator and discriminator update)
     * @param msPerStep   {@code tuneMillis} per evaluation
     */
    public record Timing(long buildMillis, long tuneMillis, double msPerStep) {}

    /** The value of {@code term} at the last evaluation (NaN when absent). */
    public double last(String term) {
        Double v = history.isEmpty() ? null : history.get(history.size() - 1).get(term);
        return v == null ? Double.NaN : v;
    }

    /** The value of {@code term} at the first evaluation, before any update (NaN when absent). */
    public double first(String term) {
        Double v = history.isEmpty() ? null : history.get(0).get(term);
        return v == null ? Double.NaN : v;
    }
}
