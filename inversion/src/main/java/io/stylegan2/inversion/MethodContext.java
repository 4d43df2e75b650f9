package io.stylegan2.inversion;

import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a method's factory gets. Start from {@link #of(Generator)} and add what you have:
 * <pre>{@code
 * MethodContext ctx = MethodContext.of(generator).withPerceptual(lpips).withSteps(500)
 *         .withOptions(Map.of("learning-rate", "0.05"));
 * Inverter inverter = Methods.builtIn().create("wplus", ctx);
 * }</pre>
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the options map is an immutable copy and the
 * registry is immutable; the generator, perceptual distance and discriminator source are shared,
 * not copied (see their own contracts; {@code Generator} serialises its calls). A
 * {@link DiscriminatorSource} may be called by every inverter made from a shared context, so it
 * must be safe to call from any thread (the CLI's loads once under a lock);
 * {@link DiscriminatorSource#NONE} is stateless.
 *
 * @param generator     the generator to invert into
 * @param perceptual    a perceptual distance (LPIPS); empty: methods fall back as they document
 *                      (pixel MSE for the projectors; PTI, GANI refuse)
 * @param steps         override of the method's step count; empty: its default
 * @param options       method options ({@code key=value} as given on the command line), parsed by
 *                      {@link MethodOptions} into the method's options record
 * @param discriminator the checkpoint's discriminator, loaded on demand, for methods that need one
 * @param methods       the registry, for methods that start from another method (a pivot, an initial latent)
 */
public record MethodContext(Generator generator, Optional<PerceptualLoss> perceptual, OptionalInt steps, Map<String, String> options,
                            DiscriminatorSource discriminator, Methods methods) {
    public MethodContext {
        Objects.requireNonNull(generator, "generator");
        Objects.requireNonNull(perceptual, "perceptual (Optional.empty() for none)");
        Objects.requireNonNull(steps, "steps (OptionalInt.empty() for the method's default)");
        if (steps.isPresent() && steps.getAsInt() < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps.getAsInt());
        options = Map.copyOf(Objects.requireNonNull(options, "options (Map.of() for none)"));
        Objects.requireNonNull(discriminator, "discriminator (DiscriminatorSource.NONE for none)");
        Objects.requireNonNull(methods, "methods");
    }

    /** A context with only the generator: no perceptual distance, default steps, no options, no discriminator, the built-in methods. */
    public static MethodContext of(Generator generator) {
        return new MethodContext(generator, Optional.empty(), OptionalInt.empty(), Map.of(), DiscriminatorSource.NONE, Methods.builtIn());
    }

    /** The same context with this perceptual distance (the caller keeps ownership). */
    public MethodContext withPerceptual(PerceptualLoss p) {
        return new MethodContext(generator, Optional.of(Objects.requireNonNull(p, "perceptual")), steps, options, discriminator, methods);
    }

    /** The same context with this step count ({@code >= 0}) instead of the method's default. */
    public MethodContext withSteps(int n) {
        return new MethodContext(generator, perceptual, OptionalInt.of(n), options, discriminator, methods);
    }

    /** The same context with these method options (replacing any before). */
    public MethodContext withOptions(Map<String, String> o) {
        return new MethodContext(generator, perceptual, steps, o, discriminator, methods);
    }

    /** The same context with this discriminator source. */
    public MethodContext withDiscriminator(DiscriminatorSource d) {
        return new MethodContext(generator, perceptual, steps, options, d, methods);
    }

    /** The same context with this registry. */
    public MethodContext withMethods(Methods m) {
        return new MethodContext(generator, perceptual, steps, options, discriminator, m);
    }

    /** The same context with the method's default steps. */
    public MethodContext withDefaultSteps() {
        return new MethodContext(generator, perceptual, OptionalInt.empty(), options, discriminator, methods);
    }

    /** The step override, or {@code fallback} (the method's default). */
    public int stepsOr(int fallback) {
        return steps.orElse(fallback);
    }

    /** Loads the checkpoint's discriminator on demand; returns null when the model has none. */
    @FunctionalInterface
    public interface DiscriminatorSource {
        DiscriminatorSource NONE = () -> null;

        Discriminator load() throws IOException;
    }
}
