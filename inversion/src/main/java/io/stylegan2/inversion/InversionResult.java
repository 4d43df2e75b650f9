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
 * <p><b>Thread safety:</b> Shallowly immutable: {@code config}, {@code history} and {@code notes}
 * are unmodifiable copies, but the arrays (the image, the reconstruction's) and nested config
 * values are not copied, so a result is safe to share as long as no thread mutates them.
 *
 * @param method         the method name ({@link Inverter#name()})
 * @param targetName     the {@link Target#name()}
 * @param reconstruction what redraws the image: latent, hook values, weight offsets, extras
 * @param image          {@code [1, C, R, R]} float32, the reconstruction drawn by {@link ReconstructionRenderer}
 *                       (raw generator output, not clamped)
 * @param config         the method's settings as JSON-compatible values (its options record, and what it measured)
 * @param history        one map per evaluation: every loss term (unweighted) and {@code total}, plus e.g. {@code lr}
 * @param metrics        final reconstruction metrics
 * @param timing         wall-clock timing
 * @param notes          human-readable remarks, e.g. a perceptual loss replaced by MSE
 */
public record InversionResult(String method, String targetName, Reconstruction reconstruction, INDArray image,
                              Map<String, Object> config, List<Map<String, Double>> history,
                              ReconstructionMetrics metrics, Timing timing, List<String> notes) {
    public InversionResult {
        if (reconstruction == null) throw new IllegalArgumentException("no reconstruction");
        if (image == null || image.rank() != 4 || image.size(0) != 1)
            throw new IllegalArgumentException("image must be [1, C, R, R], got " + (image == null ? null : Arrays.toString(image.shape())));
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config == null ? Map.of() : config));
        history = List.copyOf(history == null ? List.of() : history.stream().map(m -> Collections.unmodifiableMap(new LinkedHashMap<>(m))).toList());
        notes = List.copyOf(notes == null ? List.of() : notes);
    }

    /** The latent. */
    public Latent latent() {
        return reconstruction.latent();
    }

    /** The latent's W+ code {@code [1, num_ws, w_dim]}. */
    public INDArray ws() {
        return reconstruction.latent().ws();
    }

    /** The latent's space. */
    public LatentSpace space() {
        return reconstruction.latent().space();
    }

    /** {@code [num_ws, w_dim]}: the rosinality-style layout of the latent. */
    public INDArray latentRows() {
        return reconstruction.latent().rows();
    }

    /** The value of a loss term at the last step, or NaN. */
    public double finalLoss(String term) {
        if (history.isEmpty()) return Double.NaN;
        Double v = history.get(history.size() - 1).get(term);
        return v == null ? Double.NaN : v;
    }
}
