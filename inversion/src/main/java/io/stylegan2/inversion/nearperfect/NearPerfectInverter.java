package io.stylegan2.inversion.nearperfect;

import java.util.Objects;

import java.util.Optional;

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
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Near-perfect inversion as an {@link Inverter}: the initial latent from another inverter (the
 * ReStyle encoder, a saved result, or W+ optimisation), then {@link NearPerfectTuning}. Like PTI,
 * the result's reconstruction keeps the initial latent and the weight offsets, so {@code edit}
 * renders edits with the tuned generator (an alternating discriminator's tuned copy is in
 * {@link NearPerfectTuning}'s result, not in the saved result). The {@link TuningReport} (manifold
 * drift, FD-discriminator of random samples, discriminator scores) goes into the result's config
 * ({@code report_*}) and notes.
 *
 * <p><b>Thread safety:</b> Its own fields are final and each call makes its own
 * {@link NearPerfectTuning}, so it is as thread-safe as its initial inverter and perceptual
 * distance ({@link Generator} and {@link Discriminator} serialise their calls): use one instance
 * per thread unless those are safe to share.
 */
public final class NearPerfectInverter implements Inverter {
    /** Registry name. */
    public static final String NAME = "near-perfect";

    private final Generator g;
    private final Discriminator d;
    private final Inverter initial;
    private final Optional<PerceptualLoss> perceptual;
    private final NearPerfectConfig config;
    private final int reportSamples;

    /**
     * @param d             the checkpoint's discriminator (null only when both adversarial weights are 0)
     * @param initial       inverter giving the initial latent
     * @param perceptual    the LPIPS metric and the drift's perceptual distance, if any
     * @param reportSamples latents of the {@link TuningReport} (0: no report)
     */
    public NearPerfectInverter(Generator g, Discriminator d, Inverter initial, Optional<PerceptualLoss> perceptual, NearPerfectConfig config, int reportSamples) {
        if (g == null || initial == null || config == null) throw new IllegalArgumentException("near-perfect needs a generator, an initial inverter and a config");
        if (d == null && (config.advWeight() > 0 || config.globalWeight() > 0))
            throw new IllegalArgumentException("near-perfect needs the checkpoint's discriminator for its adversarial and global cohesion terms, and the model has none "
                    + "(convert the checkpoint with its discriminator, or set --option adv=0 --option global=0)");
        if (reportSamples != 0 && reportSamples < 2) throw new IllegalArgumentException("reportSamples must be 0 or >= 2, got " + reportSamples);
        this.g = g;
        this.d = d;
        this.initial = initial;
        this.perceptual = Objects.requireNonNull(perceptual, "perceptual (Optional.empty() for none)");
        this.config = config;
        this.reportSamples = reportSamples;
    }

    @Override
    public String name() {
        return NAME;
    }

    public NearPerfectConfig config() {
        return config;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        InversionResult init = initial.invertOne(target, progress, cancel);
        TuningResult tuned = new NearPerfectTuning(config).tune(g, d, init.ws(), target.image(), progress, cancel);

        // a saved PTI / near-perfect start: its offsets are not ours, its latent is; the alternating discriminator's
        // copy (TuningResult.extras) is not saved: as large as the generator, and nothing draws with it
        Reconstruction r = Reconstruction.tuned(init.latent(), HookState.of(config.noiseMode()), tuned.weightOffsets(), Map.of());
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("initial_method", init.method());
        cfg.put("initial_mse", init.metrics().mseSigned());
        cfg.put("near_perfect", MethodOptions.asMap(config));
        cfg.put("stopped_early", tuned.stoppedEarly());
        List<String> notes = new ArrayList<>(init.notes());
        notes.add(String.format(Locale.ROOT, "initial latent (%s): MSE %.5g; near-perfect tuning %d steps%s (%s discriminator), MSE %.5g",
                init.method(), init.metrics().mseSigned(), tuned.steps(), tuned.stoppedEarly() ? " (target MSE reached)" : "",
                config.discriminator().name().toLowerCase(Locale.ROOT), tuned.last(NearPerfectTuning.MSE)));
        if (reportSamples > 0) {
            TuningReport report = TuningReport.measure(g, d, tuned.weightOffsets(), tuned.image(), target.image(), perceptual, reportSamples, 0);
            report.values().forEach((k, v) -> cfg.put("report_" + k, v));
            cfg.put("report_samples", reportSamples);
            notes.add("drift report on " + reportSamples + " latents: " + report.summary());
        }
        return Results.finish(NAME, target, g, r, perceptual, cfg, tuned.history(), init.timing().totalSeconds(), tuned.steps(),
                tuned.msPerStep(), notes, t0);
    }
}
