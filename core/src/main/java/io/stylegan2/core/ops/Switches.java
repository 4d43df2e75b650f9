package io.stylegan2.core.ops;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Reads an enum-valued system property that selects an op's formulation (e.g. {@code -Dstylegan2.modconv=fused}). */
final class Switches {
    private Switches() {}

    /** The constant of {@code type} named by {@code property} (case-insensitive), or {@code def} when unset. */
    static <E extends Enum<E>> E read(String property, Class<E> type, E def) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) return def;
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String allowed = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
            throw new IllegalArgumentException(property + " must be one of " + allowed + ", got '" + v.trim() + "'");
        }
    }
}
