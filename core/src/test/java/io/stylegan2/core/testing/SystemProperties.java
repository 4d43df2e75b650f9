package io.stylegan2.core.testing;

import java.util.function.Supplier;

/** Runs test code with a system property (an op's path switch, say) set, restoring its old value after. */
public final class SystemProperties {
    private SystemProperties() {}

    /** {@code body} with {@code key = value}; the previous value (or its absence) is restored even if it throws. */
    public static <T> T with(String key, String value, Supplier<T> body) {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (old == null) System.clearProperty(key);
            else System.setProperty(key, old);
        }
    }

    /** As {@link #with(String, String, Supplier)} for code without a result. */
    public static void with(String key, String value, Runnable body) {
        with(key, value, () -> {
            body.run();
            return null;
        });
    }
}
