package io.stylegan2.inversion.pti;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.engine.InitialLatent;
import io.stylegan2.inversion.engine.PivotTuningInverter;

import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code pti} method: a pivot (the W projector by default), then pivotal tuning; options {@link PtiOptions}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} and
 * {@link #pivot} build new inverters per call).
 */
public final class PtiMethod extends MethodProvider<PtiOptions> {
    /** Registry name. */
    public static final String NAME = "pti";

    public PtiMethod() {
        super(NAME, "PTI: pivot from the W projector as PTI (450 steps, 600 w_avg samples, peak lr 0.01; or pivot-method, encoder=FILE, init=FILE|DIR), then tune all synthesis weights "
                + "with L2 + LPIPS (350 steps, needs LPIPS weights)",
                PtiOptions.defaults());
    }

    /**
     * PTI's pivot, shared by the methods that tune around one (GANI): a trained encoder, a saved result,
     * or a registered method; the {@code w} projector runs PTI's settings (600 {@code w_avg} samples,
     * peak lr 0.01, its {@code hyperparameters.py}), other methods their defaults.
     */
    public static Inverter pivot(String method, MethodContext c, Path encoder, int iterations, Path init, String pivotMethod, int pivotSteps) throws Exception {
        Map<String, String> pivotOptions = pivotMethod.equals("w") ? Map.of("w-avg-samples", "600", "initial-learning-rate", "0.01") : Map.of();
        return InitialLatent.inverter(method, c, encoder, iterations, init, pivotMethod, pivotSteps, pivotOptions);
    }

    @Override
    public Inverter create(MethodContext c, PtiOptions o) throws Exception {
        if (c.perceptual().isEmpty())
            throw new IllegalArgumentException("pti needs a perceptual distance: PTI's loss is L2 + LPIPS (give LPIPS weights, e.g. --lpips-weights)");
        Inverter pivot = pivot(name(), c, o.encoder(), o.iterations(), o.init(), o.pivotMethod(), o.pivotSteps());
        PtiConfig config = o.config(c.stepsOr(PtiConfig.defaults().maxSteps()));
        return new PivotTuningInverter(NAME, c.generator(), pivot, c.perceptual().get(), new PivotalTuning(config, c.perceptual().get()));
    }
}
