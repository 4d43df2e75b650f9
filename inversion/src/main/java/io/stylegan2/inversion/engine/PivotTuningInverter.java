package io.stylegan2.inversion.engine;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.Target;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.stylegan.Generator;

import java.util.Objects;

/**
 * A method that tunes the generator around a pivot (PTI, GANI) as an {@link Inverter}: the pivot
 * from another inverter, then the {@link PivotTuning}, packed by {@link Results#finishTuned}: the
 * result keeps the pivot latent, the weight offsets (not a second model), the tuning's noise mode and
 * extras, the pivot's noise maps as {@code pivot/noise/<layer>}, and the manifold drift on
 * {@value Results#DRIFT_SAMPLES} fixed latents in the notes and config.
 *
 * <p><b>Thread safety:</b> Its own fields are final, but {@link #invertOne} runs the pivot inverter
 * and the tuning on the calling thread, so it is only as thread-safe as both: use one instance per
 * thread unless they are (several instances may share one {@link Generator}).
 */
public final class PivotTuningInverter implements Inverter {
    private final String name;
    private final Generator g;
    private final Inverter pivot;
    private final PerceptualLoss perceptual;
    private final PivotTuning tuning;

    /**
     * @param name       the method's registry name
     * @param pivot      inverter producing the pivot latent
     * @param perceptual the perceptual distance of the loss and the metrics; required
     */
    public PivotTuningInverter(String name, Generator g, Inverter pivot, PerceptualLoss perceptual, PivotTuning tuning) {
        this.name = Objects.requireNonNull(name, "name");
        if (perceptual == null)
            throw new IllegalArgumentException(name + " needs a perceptual distance: its loss is L2 + LPIPS (give LPIPS weights, e.g. --lpips-weights)");
        this.g = Objects.requireNonNull(g, "generator");
        this.pivot = Objects.requireNonNull(pivot, "pivot inverter");
        this.perceptual = perceptual;
        this.tuning = Objects.requireNonNull(tuning, "tuning");
    }

    @Override
    public String name() {
        return name;
    }

    public PivotTuning tuning() {
        return tuning;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) throws Exception {
        long t0 = System.nanoTime();
        InversionResult p = pivot.invertOne(target, progress, cancel);
        TuningResult tuned = tuning.tune(g, p.ws(), target.image(), progress, cancel);
        return Results.finishTuned(name, target, g, p, tuned, tuning.noiseMode(), java.util.Optional.of(perceptual), tuning.settings(tuned), tuned.extras(),
                tuning.summary(tuned), t0);
    }
}
