package io.stylegan2.inversion;

import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;

import java.io.IOException;
import java.util.Map;

/**
 * What a method's factory gets.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the options map is an immutable copy and the
 * registry is immutable; the generator, perceptual distance and discriminator source are shared,
 * not copied (see their own contracts; {@code Generator} serialises its calls). A
 * {@link DiscriminatorSource} may be called by every inverter made from a shared context, so it
 * must be safe to call from any thread (the CLI's loads once under a lock);
 * {@link DiscriminatorSource#NONE} is stateless.
 *
 * @param generator     the generator to invert into
 * @param perceptual    a perceptual distance (LPIPS), or null (methods then fall back as they document)
 * @param steps         override of the method's step count, or null for its default
 * @param options       method options ({@code key=value} as given on the command line), parsed by
 *                      {@link MethodOptions} into the method's options record; never null
 * @param discriminator the checkpoint's discriminator, loaded on demand, for methods that need one
 * @param methods       the registry, for methods that start from another method (a pivot, an initial latent)
 */
public record MethodContext(Generator generator, PerceptualLoss perceptual, Integer steps, Map<String, String> options,
                            DiscriminatorSource discriminator, Methods methods) {
    public MethodContext {
        if (generator == null) throw new IllegalArgumentException("no generator");
        if (steps != null && steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        options = options == null ? Map.of() : Map.copyOf(options);
        if (discriminator == null) discriminator = DiscriminatorSource.NONE;
        if (methods == null) methods = Methods.builtIn();
    }

    /** A context without a discriminator, with the built-in methods. */
    public MethodContext(Generator generator, PerceptualLoss perceptual, Integer steps, Map<String, String> options) {
        this(generator, perceptual, steps, options, DiscriminatorSource.NONE, null);
    }

    /** The same context with other options and step count (e.g. for a pivot method). */
    public MethodContext with(Integer steps, Map<String, String> options) {
        return new MethodContext(generator, perceptual, steps, options, discriminator, methods);
    }

    /** Loads the checkpoint's discriminator on demand; returns null when the model has none. */
    @FunctionalInterface
    public interface DiscriminatorSource {
        DiscriminatorSource NONE = () -> null;

        Discriminator load() throws IOException;
    }
}
