package io.stylegan2.inversion.pti;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.engine.InitialLatent;

import java.util.Map;

/** The {@code pti} method: a pivot (the W projector by default), then pivotal tuning; options {@link PtiOptions}. */
public final class PtiMethod extends MethodProvider<PtiOptions> {
    public PtiMethod() {
        super(PtiInverter.NAME, "PTI: pivot from the W projector as PTI (450 steps, 600 w_avg samples, peak lr 0.01; or pivot-method, encoder=FILE, init=FILE|DIR), then tune all synthesis weights "
                + "with L2 + LPIPS (350 steps, needs LPIPS weights)",
                PtiOptions.defaults());
    }

    @Override
    public Inverter create(MethodContext c, PtiOptions o) throws Exception {
        if (c.perceptual() == null)
            throw new IllegalArgumentException("pti needs a perceptual distance: PTI's loss is L2 + LPIPS (give LPIPS weights, e.g. --lpips-weights)");
        // PTI's own pivot: the W projector with 600 w_avg samples and peak lr 0.01 (its hyperparameters.py); other methods at their defaults
        Map<String, String> pivotOptions = o.pivotMethod().equals("w") ? Map.of("w-avg-samples", "600", "initial-learning-rate", "0.01") : Map.of();
        Inverter pivot = InitialLatent.inverter(name(), c, o.encoder(), o.iterations(), o.init(), o.pivotMethod(), o.pivotSteps(), pivotOptions);
        return new PtiInverter(c.generator(), pivot, c.perceptual(), o.config(c.steps() == null ? PtiConfig.defaults().maxSteps() : c.steps()));
    }
}
