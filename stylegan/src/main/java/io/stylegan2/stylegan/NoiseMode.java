package io.stylegan2.stylegan;

/**
 * How the per-layer noise inputs of the synthesis network are filled ({@code noise_mode}).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum NoiseMode {
    /** Fresh N(0,1) noise per call, drawn from a seeded generator (reproducible for a given seed). */
    RANDOM,
    /** The checkpoint's fixed {@code noise_const} buffers. */
    CONST,
    /** No noise at all. */
    NONE;

    /** Parses the official spelling ({@code random|const|none}), case-insensitive. */
    public static NoiseMode parse(String s) {
        for (NoiseMode m : values()) if (m.name().equalsIgnoreCase(s.trim())) return m;
        throw new IllegalArgumentException("noise_mode must be random, const or none, got '" + s + "'");
    }
}
