package io.stylegan2.inversion.pti;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.Results;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PTI as an {@link Inverter}: a pivot from another inverter (the NVIDIA W projector by default),
 * then {@link PivotalTuning} of all synthesis weights. The result keeps the pivot latent, the weight
 * offsets (not a second model) and PTI's noise mode; the pivot's own noise maps (which the tuned
 * generator does not use) are kept as extras {@code pivot/noise/<layer>}. The manifold drift of the
 * tuned generator on {@value #DRIFT_SAMPLES} fixed latents is reported in the notes and config.
 */
public final class PtiInverter implements Inverter {
    /** Registry name. */
    public static final String NAME = "pti";
    /** Latents used for the drift report. */
    public static final int DRIFT_SAMPLES = 16;

    private final Generator g;
    private final Inverter pivot;
    private final PerceptualLoss perceptual;
    private final PtiConfig config;

    /**
     * @param pivot      inverter producing the pivot latent
     * @param perceptual LPIPS (PTI's loss is L2 + LPIPS-AlexNet); required
     */
    public PtiInverter(Generator g, Inverter pivot, PerceptualLoss perceptual, PtiConfig config) {
        if (perceptual == null)
            throw new IllegalArgumentException("pti needs a perceptual distance: PTI's loss is L2 + LPIPS (give LPIPS weights, e.g. --lpips-weights)");
        this.g = g;
        this.pivot = pivot;
        this.perceptual = perceptual;
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    public PtiConfig config() {
        return config;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        InversionResult p = pivot.invertOne(target, progress, cancel);
        TuningResult tuned = new PivotalTuning(config, perceptual).tune(g, p.ws(), target.image(), progress, cancel);

        Map<String, INDArray> extras = new LinkedHashMap<>();
        p.reconstruction().hooks().noise().forEach((l, n) -> extras.put("pivot/noise/" + l, n));
        Reconstruction r = Reconstruction.tuned(p.latent(), HookState.of(config.noiseMode()), tuned.weightOffsets(), extras);
        ManifoldDrift.Result drift = ManifoldDrift.measure(g, tuned.weightOffsets(), DRIFT_SAMPLES, 0, 4, perceptual);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("pivot_method", p.method());
        cfg.put("pti", MethodOptions.asMap(config));
        cfg.put("drift_samples", drift.samples());
        cfg.put("drift_mse", drift.mse());
        drift.perceptual().ifPresent(v -> cfg.put("drift_" + drift.perceptualName(), v));
        List<String> notes = new ArrayList<>(p.notes());
        notes.add(String.format(Locale.ROOT, "pivot (%s): MSE %.5g; PTI %d steps%s; manifold drift on %d latents: MSE %.5g%s",
                p.method(), p.metrics().mseSigned(), tuned.steps(), tuned.stoppedEarly() ? " (early stop)" : "", drift.samples(), drift.mse(),
                drift.perceptual().isPresent() ? ", " + drift.perceptualName() + " " + String.format(Locale.ROOT, "%.5g", drift.perceptual().getAsDouble()) : ""));
        return Results.finish(NAME, target, g, r, perceptual, cfg, tuned.history(), p.timing().totalSeconds(), tuned.steps(),
                tuned.msPerStep(), notes, t0);
    }
}
