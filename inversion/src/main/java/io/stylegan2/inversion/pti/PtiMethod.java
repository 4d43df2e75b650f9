package io.stylegan2.inversion.pti;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.engine.InitialLatent;

/** The {@code pti} method: a pivot (the W projector by default), then pivotal tuning; options {@link PtiOptions}. */
public final class PtiMethod extends MethodProvider<PtiOptions> {
    public PtiMethod() {
        super(PtiInverter.NAME, "PTI: pivot from the W projector (pivot-steps 1000; or encoder=FILE, init=FILE|DIR), then tune all synthesis weights "
                + "with L2 + LPIPS (350 steps, needs LPIPS weights)",
                PtiOptions.defaults());
    }

    @Override
    public Inverter create(MethodContext c, PtiOptions o) throws Exception {
        if (c.perceptual() == null)
            throw new IllegalArgumentException("pti needs a perceptual distance: PTI's loss is L2 + LPIPS (give LPIPS weights, e.g. --lpips-weights)");
        Inverter pivot = InitialLatent.inverter(name(), c, o.encoder(), o.iterations(), o.init(), o.pivotMethod(), o.pivotSteps());
        return new PtiInverter(c.generator(), pivot, c.perceptual(), o.config(c.steps() == null ? PtiConfig.defaults().maxSteps() : c.steps()));
    }
}
