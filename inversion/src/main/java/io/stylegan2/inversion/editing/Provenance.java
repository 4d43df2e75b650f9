package io.stylegan2.inversion.editing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a direction was made: the method ({@code ganspace}, {@code sefa}, {@code interfacegan},
 * {@code sum}, {@code manual}) and its parameters (JSON-compatible values: numbers, strings,
 * booleans, lists, maps), stored with the direction.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: {@code params} is an unmodifiable copy, but nested
 * values (lists, maps) are not copied, so it is safe to share as long as no thread mutates them.
 */
public record Provenance(String method, Map<String, Object> params) {
    public Provenance {
        if (method == null || method.isBlank()) throw new IllegalArgumentException("provenance method must be non-empty");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params == null ? Map.of() : params));
    }

    public static Provenance of(String method) {
        return new Provenance(method, Map.of());
    }
}
