package io.stylegan2.inversion.projector;

import io.stylegan2.inversion.InversionMethod;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;

/** The {@code w} method: the official StyleGAN2-ADA projector; options are {@link NvidiaConfig}'s components. */
public final class NvidiaProjectorMethod implements InversionMethod<NvidiaConfig> {
    @Override
    public String name() {
        return NvidiaProjector.NAME;
    }

    @Override
    public String description() {
        return "official StyleGAN2-ADA projector: one w + noise maps, LPIPS-VGG (1000 steps)";
    }

    @Override
    public NvidiaConfig defaults() {
        return NvidiaConfig.defaults();
    }

    @Override
    public Inverter create(MethodContext c, NvidiaConfig options) {
        return new NvidiaProjector(c.generator(), c.perceptual(), c.steps() == null ? options : options.withSteps(c.steps()));
    }
}
