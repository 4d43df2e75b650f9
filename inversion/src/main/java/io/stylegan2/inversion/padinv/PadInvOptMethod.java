package io.stylegan2.inversion.padinv;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;

/**
 * The {@code padinv-opt} method: W+ and PadInv's padding space (a border map per non-upsampling 3x3
 * conv up to 32 px) optimised together per image, by the W+ projector's loss and Adam
 * ({@link WPlusProjector} with {@link WPlusConfig#paddedUpTo()} = 32). Options are
 * {@link WPlusConfig}'s components.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Each {@link #create} call returns a
 * new inverter.
 */
public final class PadInvOptMethod extends MethodProvider<WPlusConfig> {
    public PadInvOptMethod() {
        super(WPlusProjector.PADDED_NAME, "PadInv padding space + W+ optimisation: MSE + perceptual, Adam 0.01 (5000 steps), border maps up to 32 px",
                WPlusConfig.defaults().withPaddedUpTo(32));
    }

    @Override
    public Inverter create(MethodContext c, WPlusConfig options) {
        if (options.paddedUpTo() == 0) throw new IllegalArgumentException("padinv-opt: padded-up-to must be >= 4 (use --method wplus for plain W+)");
        return WPlusProjector.of(c.generator(), c.perceptual(), c.steps().isEmpty() ? options : options.withSteps(c.steps().getAsInt()));
    }
}
