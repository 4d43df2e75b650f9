package io.stylegan2.core;

/**
 * The one reader of the numeric system properties that raise the readers' safety limits
 * ({@code stylegan2.converter.*}, {@code stylegan2.safetensors.*}, {@code stylegan2.images.max-pixels}).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread.
 */
public final class Limits {
    private Limits() {}

    /**
     * The system property {@code key} as a long at least {@code min}, or {@code def} when it is unset
     * or blank.
     *
     * @throws IllegalArgumentException naming the property and its value when it is not such a number
     */
    public static long property(String key, long def, long min) {
        String v = System.getProperty(key);
        if (v == null || v.isBlank()) return def;
        try {
            long n = Long.parseLong(v.trim());
            if (n < min) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + key + "=" + v + ": not an integer >= " + min);
        }
    }
}
