package io.stylegan2.inversion.pti;

import io.stylegan2.core.Progress;
import io.stylegan2.inversion.CancellationToken;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.PerceptualLoss;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.Timing;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.ParameterStore;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PTI as an {@link Inverter}: a pivot from another inverter (the NVIDIA W projector by default),
 * then {@link PivotalTuning} of all synthesis weights. The result keeps the pivot latent and stores
 * the weight offsets as extras {@code delta/<canonical name>} in PyTorch layout (not a second
 * model), plus the pivot's extras; the manifold drift of the tuned generator on
 * {@value #DRIFT_SAMPLES} fixed latents is reported in the notes and config.
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

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        InversionResult p = pivot.invertOne(target, progress, cancel);
        int r = g.config().imgResolution();
        PivotalTuning pti = new PivotalTuning(config, (a, b) -> perceptual.distance(a, b, r, r));
        PtiResult tuned = pti.tune(g, p.ws(), target.image(), progress, CancellationToken.orNone(cancel)::isCancelled);

        Map<String, INDArray> extras = new LinkedHashMap<>(p.extras());
        tuned.weightOffsets().forEach((name, d) -> extras.put("delta/" + name, ParameterStore.canonicalLayout(name, d).dup('c')));
        ManifoldDrift.Result drift;
        try (TunedGenerator tg = new TunedGenerator(g, tuned.weightOffsets())) {
            drift = tg.drift(DRIFT_SAMPLES, 0, 4, perceptual);
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("pivot_method", p.method());
        cfg.put("pti", config.toString());
        cfg.put("drift_samples", drift.samples());
        cfg.put("drift_mse", drift.mse());
        drift.perceptual().ifPresent(v -> cfg.put("drift_" + drift.perceptualName(), v));
        List<Map<String, Double>> history = new ArrayList<>();
        for (PtiResult.Step s : tuned.history()) history.add(s.values());
        List<String> notes = new ArrayList<>(p.notes());
        notes.add(String.format(java.util.Locale.ROOT, "pivot (%s): MSE %.5g; PTI %d steps%s; manifold drift on %d latents: MSE %.5g%s",
                p.method(), p.metrics().mseSigned(), tuned.steps(), tuned.stoppedEarly() ? " (early stop)" : "", drift.samples(), drift.mse(),
                drift.perceptual().isPresent() ? ", " + drift.perceptualName() + " " + String.format(java.util.Locale.ROOT, "%.5g", drift.perceptual().getAsDouble()) : ""));
        double total = (System.nanoTime() - t0) / 1e9;
        return new InversionResult(NAME, target.name(), LatentSpace.W_PLUS, p.ws(), tuned.reconstruction(), extras, cfg, history,
                ReconstructionMetrics.compute(target.image(), tuned.reconstruction(), perceptual),
                new Timing(p.timing().totalSeconds(), total, tuned.steps(), tuned.timing().msPerStep()), notes);
    }
}
