package io.stylegan2.core.engine;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * ND4J 1.0.0-M2.1 writes one line {@code "Added differentiated op <name>"} per op to
 * {@code System.out} while building a gradient function ({@code SameDiff.createGradFunction},
 * which {@code calculateGradients}/{@code fit} call). The line comes from a hard-coded
 * {@code System.out.println} in {@code SameDiff}, not from a logger, so no log level silences it.
 * {@link #install()} replaces {@code System.out}, process-wide, with a stream that drops exactly
 * those lines and forwards everything else unchanged. Called by {@link Engine} at install when
 * {@link EngineOptions#filterStdout()} is on.
 */
final class StdoutFilter {
    static final String NOISE_PREFIX = "Added differentiated op";

    private StdoutFilter() {}

    /** Wraps the current {@code System.out} unless it is already filtered (idempotent, thread-safe); returns true. */
    static synchronized boolean install() {
        if (!(System.out instanceof FilteringOut)) System.setOut(new FilteringOut(System.out));
        return true;
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
