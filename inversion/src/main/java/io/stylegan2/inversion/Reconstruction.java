package io.stylegan2.inversion;

import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to redraw an inverted image with the generator it was made for: the
 * {@link Latent}, the values left in the synthesis hooks (noise maps, padding maps, feature masks,
 * a replaced constant input, the noise mode), the weight offsets of a tuned generator and the
 * method's extras. Saved and loaded by one codec ({@link InversionResults}), drawn by one
 * renderer ({@link ReconstructionRenderer}), so {@code edit} at strength 0 redraws what the method
 * reconstructed, whatever the method.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the maps are unmodifiable copies, but float32
 * arrays are not copied (others are cast into new arrays), so a reconstruction is safe to share as
 * long as no thread mutates them.
 *
 * @param latent        the code (with its feature offsets, for a W+F latent)
 * @param hooks         hook values and noise mode; its feature offsets must be empty (they belong to the latent),
 *                      its masks apply to the latent's offsets
 * @param weightOffsets {@code delta} of a tuned generator by canonical parameter name, in canonical (PyTorch)
 *                      layout ({@code [out, in, kH, kW]} for conv weights), float32; empty for the plain generator
 * @param extras        method additions that are not needed to redraw the image (e.g. PTI's pivot noise
 *                      maps, a tuned discriminator), float32
 */
public record Reconstruction(Latent latent, HookState hooks, Map<String, INDArray> weightOffsets, Map<String, INDArray> extras) {
    public Reconstruction {
        if (latent == null) throw new IllegalArgumentException("reconstruction: no latent");
        if (hooks == null) hooks = HookState.CONST;
        if (!hooks.featureOffsets().isEmpty())
            throw new IllegalArgumentException("reconstruction: feature offsets belong to the latent (W+F), not to the hook state");
        weightOffsets = float32(weightOffsets);
        extras = float32(extras);
    }

    private static Map<String, INDArray> float32(Map<String, INDArray> m) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (m != null) m.forEach((k, v) -> out.put(k, v.dataType() == DataType.FLOAT ? v : v.castTo(DataType.FLOAT)));
        return Collections.unmodifiableMap(out);
    }

    /** A latent alone, constant noise: what {@code Generator.synthesis(ws, CONST, 0)} draws. */
    public static Reconstruction of(Latent latent) {
        return new Reconstruction(latent, HookState.CONST, Map.of(), Map.of());
    }

    /**
     * A tuned generator's reconstruction.
     *
     * @param graphOffsets offsets in the graph layout of {@link ParameterStore} (as trained); stored canonically
     */
    public static Reconstruction tuned(Latent latent, HookState hooks, Map<String, INDArray> graphOffsets, Map<String, INDArray> extras) {
        Map<String, INDArray> canonical = new LinkedHashMap<>();
        graphOffsets.forEach((n, d) -> canonical.put(n, ParameterStore.canonicalLayout(n, d).dup('c')));
        return new Reconstruction(latent, hooks, canonical, extras);
    }

    /** The hook state to render with: {@link #hooks()} plus the latent's feature offsets. */
    public HookState renderHooks() {
        if (latent.featureOffsets().isEmpty()) return hooks;
        return hooks.withFeatureOffsets(latent.featureOffsets(), hooks.featureMasks());
    }

    /** The same reconstruction with another latent (an edit keeps the hooks and weight offsets). */
    public Reconstruction withLatent(Latent l) {
        return new Reconstruction(l, hooks, weightOffsets, extras);
    }

    /** Whether the generator's weights are tuned. */
    public boolean tunesWeights() {
        return !weightOffsets.isEmpty();
    }

    /** Checks latent, hooks and offsets against a generator (names and shapes). */
    public Reconstruction requireFits(io.stylegan2.stylegan.Generator g) {
        GeneratorConfig cfg = g.config();
        latent.requireFits(cfg);
        renderHooks().validate(cfg);
        weightOffsets.forEach((n, d) -> {
            if (!g.params().has(n)) throw new IllegalArgumentException("weight offset delta/" + n + ": the generator has no parameter '" + n + "'");
            long[] want = ParameterStore.canonicalLayout(n, g.params().get(n)).shape();
            if (!Arrays.equals(want, d.shape()))
                throw new IllegalArgumentException("weight offset delta/" + n + ": shape " + Arrays.toString(d.shape()) + ", expected " + Arrays.toString(want));
        });
        return this;
    }
}
