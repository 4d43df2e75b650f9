package io.stylegan2.inversion.nearperfect;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.engine.InitialLatent;
import io.stylegan2.stylegan.Discriminator;

/**
 * The {@code near-perfect} method: an initial latent, then generator tuning; options {@link NearPerfectOptions}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} loads the
 * discriminator through the context's source and builds a new inverter).
 */
public final class NearPerfectMethod extends MethodProvider<NearPerfectOptions> {
    public NearPerfectMethod() {
        super(NearPerfectInverter.NAME, "near-perfect inversion: initial latent (encoder=FILE, init=FILE|DIR, else W+ for init-steps=200), then tune all synthesis "
                + "weights with Laplacian pyramid + local adversarial + global cohesion (300 steps; needs the model's discriminator)",
                NearPerfectOptions.defaults());
    }

    @Override
    public Inverter create(MethodContext c, NearPerfectOptions o) throws Exception {
        NearPerfectConfig cfg;
        try {
            cfg = o.config(c.generator().config().imgResolution(), c.stepsOr(NearPerfectConfig.defaults().maxSteps()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name() + ": " + e.getMessage(), e);
        }
        Inverter init = InitialLatent.inverter(name(), c, o.encoder(), o.iterations(), o.init(), "wplus", o.initSteps(), java.util.Map.of());
        Discriminator d = c.discriminator().load();  // also measures the report when the adversarial terms are off
        return new NearPerfectInverter(c.generator(), d, init, c.perceptual(), cfg, o.reportSamples());
    }
}
