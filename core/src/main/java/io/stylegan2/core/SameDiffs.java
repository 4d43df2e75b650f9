package io.stylegan2.core;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * SameDiff plumbing shared by the whole project.
 *
 * <p>ND4J 1.0.0-M2.1 writes one line {@code "Added differentiated op <name>"} per op to
 * {@code System.out} while building a gradient function ({@code SameDiff.createGradFunction},
 * which {@code calculateGradients}/{@code fit} call). The line comes from a hard-coded
 * {@code System.out.println} in {@code SameDiff}, not from a logger, so no log level silences it.
 * {@link #quiet()} replaces {@code System.out} once, process-wide, with a stream that drops exactly
 * those lines and forwards everything else unchanged.
 */
public final class SameDiffs {
    private static final String NOISE_PREFIX = "Added differentiated op";

    private SameDiffs() {}

    /**
     * Installs (idempotently, thread-safe) the {@code System.out} filter that drops SameDiff's
     * "Added differentiated op" lines. Call before building gradients; cheap to call repeatedly.
     */
    public static synchronized void quiet() {
        if (System.out instanceof FilteringOut) return;
        System.setOut(new FilteringOut(System.out));
    }

    /** A PrintStream that forwards everything except SameDiff's gradient-construction chatter. */
    private static final class FilteringOut extends PrintStream {
        FilteringOut(OutputStream delegate) {
            super(delegate, true);
        }

        @Override
        public void println(String s) {
            if (s != null && s.startsWith(NOISE_PREFIX)) return;
            super.println(s);
        }
    }
}
