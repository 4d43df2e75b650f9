package io.stylegan2.inversion.padinv;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.encoder.Encoder;
import io.stylegan2.inversion.encoder.EncoderInverter;
import io.stylegan2.inversion.encoder.EncoderOptions;

/**
 * The {@code padinv} method: a trained PadInv encoder (from {@code train-encoder --preset padinv})
 * predicts W+ and the padding space in one forward pass; options {@link EncoderOptions}
 * ({@code encoder=FILE}, {@code iterations=1}). The border maps and constant input are saved with
 * the result, so {@code edit} and {@code padding blend|pair-edit} use them.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} loads a new
 * {@link Encoder} per call).
 */
public final class PadInvMethod extends MethodProvider<EncoderOptions> {
    /** Registry name. */
    public static final String NAME = "padinv";

    public PadInvMethod() {
        super(NAME, "PadInv encoder: W+ and padding maps in one forward pass (option encoder=FILE from train-encoder --preset padinv; no optimisation)",
                new EncoderOptions(null, 1));
    }

    @Override
    public Inverter create(MethodContext c, EncoderOptions o) throws Exception {
        if (o.encoder() == null)
            throw new IllegalArgumentException("method padinv needs --option encoder=FILE (an encoder.safetensors from train-encoder --preset padinv)");
        Encoder e = Encoder.load(o.encoder());
        if (!e.config().padded())
            throw new IllegalArgumentException("method padinv: " + o.encoder() + " has no padding branch (train it with --preset padinv; use --method encoder for a W+ encoder)");
        return new EncoderInverter(NAME, c.generator(), e, o.iterations(), c.perceptual());
    }
}
