package io.stylegan2.inversion.projector;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;

/**
 * The {@code w} method: the official StyleGAN2-ADA projector; options are {@link NvidiaConfig}'s components.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} builds a new
 * inverter per call).
 */
public final class NvidiaProjectorMethod extends MethodProvider<NvidiaConfig> {
    public NvidiaProjectorMethod() {
        super(NvidiaProjector.NAME, "official StyleGAN2-ADA projector: one w + noise maps, LPIPS-VGG (1000 steps)",
                NvidiaConfig.defaults());
    }

    @Override
    public Inverter create(MethodContext c, NvidiaConfig options) {
        return NvidiaProjector.of(c.generator(), c.perceptual(), c.steps().isEmpty() ? options : options.withSteps(c.steps().getAsInt()));
    }
}
