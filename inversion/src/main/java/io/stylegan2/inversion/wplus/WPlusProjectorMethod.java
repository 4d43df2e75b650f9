package io.stylegan2.inversion.wplus;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;

/**
 * The {@code wplus} method: Image2StyleGAN W+ optimisation; options are {@link WPlusConfig}'s components.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} builds a new
 * inverter per call).
 */
public final class WPlusProjectorMethod extends MethodProvider<WPlusConfig> {
    public WPlusProjectorMethod() {
        super(WPlusProjector.NAME, "Image2StyleGAN W+ optimisation: MSE + perceptual, Adam 0.01 (5000 steps)",
                WPlusConfig.defaults());
    }

    @Override
    public Inverter create(MethodContext c, WPlusConfig options) {
        return WPlusProjector.of(c.generator(), c.perceptual(), c.steps().isEmpty() ? options : options.withSteps(c.steps().getAsInt()));
    }
}
