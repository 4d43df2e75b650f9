package io.stylegan2.core;

import java.util.Map;

/**
 * Progress callback for long-running library work (conversion, generation, projection), in the
 * spirit of DJL's {@code Progress}. Library code calls {@link #start}, then {@link #update} any
 * number of times, then {@link #end}; it never prints. Implementations must be cheap: they are
 * called from inner loops.
 *
 * <p><b>Thread safety:</b> Library code calls one instance from the one thread that runs the work,
 * never concurrently; implementations need not be thread-safe unless the caller shares one instance
 * between concurrent tasks. {@link #NONE} is stateless and may be shared.
 */
public interface Progress {

    /** A callback that ignores everything. */
    Progress NONE = new Progress() {
        @Override public void start(String task, long total) {}
        @Override public void update(long done, Map<String, Double> values) {}
        @Override public void end() {}
    };

    /**
     * Starts a task.
     *
     * @param task  short human-readable name
     * @param total number of steps, or {@code -1} if unknown
     */
    void start(String task, long total);

    /**
     * Reports progress.
     *
     * @param done   steps completed so far (monotone, at most {@code total})
     * @param values named scalars to show (e.g. {@code loss}); may be empty, never {@code null}
     */
    void update(long done, Map<String, Double> values);

    /** Reports progress with no values. */
    default void update(long done) {
        update(done, Map.of());
    }

    /** Ends the current task. */
    void end();

    /** {@code p} or {@link #NONE} if {@code p} is {@code null}. */
    static Progress orNone(Progress p) {
        return p == null ? NONE : p;
    }
}
