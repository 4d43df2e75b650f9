package io.stylegan2.core;

import java.util.concurrent.CancellationException;

/**
 * Cooperative cancellation, the one shape long work takes it in: optimisation loops, inverters and
 * trainers check it between steps and stop with a {@link CancellationException}. Once cancelled it
 * stays cancelled.
 *
 * <p><b>Thread safety:</b> Thread-safe: the flag is volatile, so any thread may {@link #cancel()} a
 * token while another polls it; {@link #NONE} is immutable and shared.
 */
public final class CancellationToken {
    /** A token that is never cancelled. */
    public static final CancellationToken NONE = new CancellationToken(false);

    private final boolean cancellable;
    private volatile boolean cancelled;

    public CancellationToken() {
        this(true);
    }

    private CancellationToken(boolean cancellable) {
        this.cancellable = cancellable;
    }

    public void cancel() {
        if (!cancellable) throw new UnsupportedOperationException("CancellationToken.NONE cannot be cancelled");
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Throws {@link CancellationException} if cancelled. */
    public void throwIfCancelled() {
        throwIfCancelled("cancelled");
    }

    /** Throws {@link CancellationException} with {@code message} if cancelled. */
    public void throwIfCancelled(String message) {
        if (cancelled) throw new CancellationException(message);
    }

    /** {@code t} or {@link #NONE} if {@code t} is {@code null}. */
    public static CancellationToken orNone(CancellationToken t) {
        return t == null ? NONE : t;
    }
}
