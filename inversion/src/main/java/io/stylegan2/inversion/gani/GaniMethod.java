package io.stylegan2.inversion.gani;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.engine.PivotTuningInverter;
import io.stylegan2.inversion.pti.PtiMethod;

/**
 * The {@code gani} method: a pivot (as PTI's), then gradient modification modules trained on the image; options {@link GaniOptions}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} builds a new
 * inverter per call).
 */
public final class GaniMethod extends MethodProvider<GaniOptions> {
    /** Registry name. */
    public static final String NAME = "gani";

    public GaniMethod() {
        super(NAME, "GANI: pivot as PTI (W projector, or pivot-method, encoder=FILE, init=FILE|DIR), then train one shallow "
                + "gradient modification module per synthesis conv (input: the loss gradient at the pivot, or the weights) with L2 + LPIPS "
                + "and apply it once (350 steps, needs LPIPS weights)",
                GaniOptions.defaults());
    }

    @Override
    public Inverter create(MethodContext c, GaniOptions o) throws Exception {
        if (c.perceptual().isEmpty())
            throw new IllegalArgumentException("gani needs a perceptual distance: its loss is L2 + LPIPS (give LPIPS weights, e.g. --lpips-weights)");
        Inverter pivot = PtiMethod.pivot(name(), c, o.encoder(), o.iterations(), o.init(), o.pivotMethod(), o.pivotSteps());
        GaniConfig config = o.config(c.stepsOr(GaniConfig.defaults().maxSteps()));
        return new PivotTuningInverter(NAME, c.generator(), pivot, c.perceptual().get(), new GaniTuning(config, c.perceptual().get()));
    }
}
