package io.stylegan2.inversion;

/**
 * What happened to one image of a batch: a result, or the error that stopped it.
 *
 * <p><b>Thread safety:</b> {@link Success} and {@link Failure} are shallowly immutable: the
 * result's arrays and the error are not copied, so an outcome is safe to share as long as no thread
 * mutates them.
 */
public sealed interface InversionOutcome {
    /** The target's name. */
    String name();

    /** {@code true} for {@link Success}. */
    default boolean ok() {
        return this instanceof Success;
    }

    /** The result; throws for a failure (with the failure's error as cause). */
    default InversionResult resultOrThrow() {
        if (this instanceof Success s) return s.result();
        Failure f = (Failure) this;
        throw new IllegalStateException("inversion of '" + f.name() + "' failed: " + f.message(), f.error());
    }

    record Success(String name, InversionResult result) implements InversionOutcome {}

    /**
     * @param cancelled the failure is a cancellation (the image was stopped or never started)
     */
    record Failure(String name, String message, Throwable error, boolean cancelled) implements InversionOutcome {}
}
