package io.stylegan2.inversion.encoder;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;

/**
 * The {@code encoder} method: a trained ReStyle encoder, no optimisation; options {@link EncoderOptions}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} loads a new
 * {@link Encoder} per call).
 */
public final class EncoderMethod extends MethodProvider<EncoderOptions> {
    public EncoderMethod() {
        super(EncoderInverter.NAME, "trained ReStyle encoder (option encoder=FILE from train-encoder; iterations=3; no optimisation, --steps does not apply)",
                new EncoderOptions(null, 3));
    }

    @Override
    public Inverter create(MethodContext c, EncoderOptions o) throws Exception {
        if (o.encoder() == null)
            throw new IllegalArgumentException("method encoder needs --option encoder=FILE (an encoder.safetensors from train-encoder)");
        return new EncoderInverter(EncoderInverter.NAME, c.generator(), Encoder.load(o.encoder()), o.iterations(), c.perceptual());
    }
}
