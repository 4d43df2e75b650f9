package io.stylegan2.inversion;

import io.stylegan2.stylegan.Generator;

/**
 * An inversion method as a plug-in: a provider found by {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/io.stylegan2.inversion.InversionMethod}), a typed options record parsed
 * by shared code ({@link MethodOptions}: {@code key=value} pairs, keys are the record components in
 * kebab case, unknown keys fail listing the known ones), and a factory. Adding a method is one
 * package with its provider (usually a {@link MethodProvider}), plus its line in the services file.
 *
 * <p>Results draw through the method's {@link #renderer}: by default the shared
 * {@link ReconstructionRenderer}, so whatever a method optimises is expressed as a
 * {@link Reconstruction} (latent, hook values, weight offsets) and {@code edit} works on it.
 *
 * <p><b>Thread safety:</b> One provider instance is shared by every user of the registry
 * ({@link Methods#builtIn()} caches it), so implementations must be safe to call from any thread;
 * the shipped ones are immutable ({@link MethodProvider}). The inverters and renderers they create
 * have their own contracts.
 *
 * @param <O> the options record
 */
public interface InversionMethod<O extends Record> {
    /** Registry name, lower case ({@code [a-z0-9][a-z0-9_-]*}), e.g. {@code wplus}. */
    String name();

    /** One line for listings. */
    String description();

    /** The options with their defaults. */
    O defaults();

    /**
     * Makes an inverter.
     *
     * @param context the generator, perceptual distance, step override, discriminator source and registry
     * @param options the parsed options ({@link #defaults()} with the given keys applied)
     */
    Inverter create(MethodContext context, O options) throws Exception;

    /** The renderer of this method's reconstructions: the shared {@link ReconstructionRenderer} unless a method needs its own. */
    default Renderer renderer(Generator g, Reconstruction r) {
        return new ReconstructionRenderer(g, r);
    }
}
