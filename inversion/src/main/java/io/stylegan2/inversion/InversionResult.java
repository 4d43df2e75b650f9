package io.stylegan2.inversion;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of inverting one image.
 *
 * @param method         the method name ({@link Inverter#name()})
 * @param targetName     the {@link Target#name()}
 * @param space          the latent space that was optimised
 * @param ws             {@code [1, num_ws, w_dim]} float32 (for {@link LatentSpace#W} every row is the same w)
 * @param reconstruction {@code [1, C, R, R]} float32, raw generator output (not clamped)
 * @param extras         method additions by name, e.g. {@code noise/b8.conv0 [1,1,8,8]}; float32; may be empty
 * @param config         the method's configuration as JSON-compatible values (record component -> value)
 * @param history        one map per step: every loss term (unweighted) and {@code total}, plus e.g. {@code lr}
 * @param metrics        final reconstruction metrics
 * @param timing         wall-clock timing
 * @param notes          human-readable remarks, e.g. a perceptual loss replaced by MSE
 */
public record InversionResult(String method, String targetName, LatentSpace space, INDArray ws, INDArray reconstruction,
                              Map<String, INDArray> extras, Map<String, Object> config, List<Map<String, Double>> history,
                              ReconstructionMetrics metrics, Timing timing, List<String> notes) {
    public InversionResult {
        if (ws == null || ws.rank() != 3 || ws.size(0) != 1)
            throw new IllegalArgumentException("ws must be [1, num_ws, w_dim], got " + (ws == null ? null : Arrays.toString(ws.shape())));
        if (reconstruction == null || reconstruction.rank() != 4 || reconstruction.size(0) != 1)
            throw new IllegalArgumentException("reconstruction must be [1, C, R, R]");
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras == null ? Map.of() : extras));
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config == null ? Map.of() : config));
        history = List.copyOf(history == null ? List.of() : history.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList());
        notes = List.copyOf(notes == null ? List.of() : notes);
    }

    /** {@code [num_ws, w_dim]}: the rosinality-style layout of the latent. */
    public INDArray latentRows() {
        return ws.reshape(ws.size(1), ws.size(2));
    }

    /** The value of a loss term at the last step, or NaN. */
    public double finalLoss(String term) {
        if (history.isEmpty()) return Double.NaN;
        Double v = history.get(history.size() - 1).get(term);
        return v == null ? Double.NaN : v;
    }
}
