package io.stylegan2.inversion.wplus;

import io.stylegan2.inversion.InversionMethod;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;

/** The {@code wplus} method: Image2StyleGAN W+ optimisation; options are {@link WPlusConfig}'s components. */
public final class WPlusProjectorMethod implements InversionMethod<WPlusConfig> {
    @Override
    public String name() {
        return WPlusProjector.NAME;
    }

    @Override
    public String description() {
        return "Image2StyleGAN W+ optimisation: MSE + perceptual, Adam 0.01 (5000 steps)";
    }

    @Override
    public WPlusConfig defaults() {
        return WPlusConfig.defaults();
    }

    @Override
    public Inverter create(MethodContext c, WPlusConfig options) {
        return new WPlusProjector(c.generator(), c.perceptual(), c.steps() == null ? options : options.withSteps(c.steps()));
    }
}
