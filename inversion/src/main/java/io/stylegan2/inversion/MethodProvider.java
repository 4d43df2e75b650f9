package io.stylegan2.inversion;

import java.util.Objects;

/**
 * The usual shape of an {@link InversionMethod} provider: name, description and default options
 * given once to the constructor, so a provider is its no-argument constructor (what
 * {@link java.util.ServiceLoader} calls) plus {@link #create}.
 *
 * <p><b>Thread safety:</b> Immutable (final name, description and defaults record); safe to share
 * between threads, as {@link Methods} does. {@link #create} may be called from any thread, so
 * subclasses must not keep mutable state in the provider (the shipped ones keep none).
 *
 * @param <O> the options record
 */
public abstract class MethodProvider<O extends Record> implements InversionMethod<O> {
    private final String name, description;
    private final O defaults;

    protected MethodProvider(String name, String description, O defaults) {
        this.name = Objects.requireNonNull(name, "name");
        this.description = Objects.requireNonNull(description, "description");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final O defaults() {
        return defaults;
    }
}
