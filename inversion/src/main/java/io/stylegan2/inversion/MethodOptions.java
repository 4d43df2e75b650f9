package io.stylegan2.inversion;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Parses {@code key=value} method options into a method's options record: the shared option
 * parser of every {@link InversionMethod}. Keys are the record components in kebab case
 * ({@code initSteps -> init-steps}); values are parsed by the component's type (int, long,
 * double, boolean, String, {@link Path}, enums by name, case-insensitive, {@code -} for {@code _}).
 * A boxed or reference component may be set to {@code none} (null). Unknown keys fail and list the
 * known ones; a bad value fails naming the method, the key and the value; the record's own
 * constructor validates the combination.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the static
 * {@code ObjectMapper} is configured once in its initialiser and only used afterwards).
 * {@link Option} is immutable.
 */
public final class MethodOptions {
    private MethodOptions() {}

    /**
     * One option of a method.
     *
     * @param key          the {@code --option} key
     * @param type         the value type's simple name (enums list their values)
     * @param defaultValue the default, as text ({@code none} for null)
     */
    public record Option(String key, String type, String defaultValue) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule().addSerializer(Path.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializer()));

    /**
     * A record (an options or config record) as JSON-compatible values, through JSON text, so a
     * saved result loads back equal: how every method stores its settings in a result's config.
     */
    public static Map<String, Object> asMap(Record r) {
        try {
            return JSON.readValue(JSON.writeValueAsString(r), new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise settings " + r, e);
        }
    }

    /** {@code camelCase} to {@code kebab-case} ({@code r1Interval -> r1-interval}, {@code dLr -> d-lr}). */
    public static String kebab(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) sb.append('-').append(Character.toLowerCase(ch));
            else sb.append(ch);
        }
        return sb.toString();
    }

    /** The options of a record type with the given defaults, in component order. */
    public static List<Option> describe(Record defaults) {
        List<Option> out = new ArrayList<>();
        for (RecordComponent c : defaults.getClass().getRecordComponents()) {
            Class<?> t = c.getType();
            String type = t.isEnum() ? String.join("|", Arrays.stream(t.getEnumConstants()).map(e -> ((Enum<?>) e).name().toLowerCase(Locale.ROOT)).toList())
                    : t.getSimpleName().toLowerCase(Locale.ROOT);
            Object v = value(defaults, c);
            out.add(new Option(kebab(c.getName()), type, v == null ? "none" : v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : String.valueOf(v)));
        }
        return out;
    }

    /**
     * {@code defaults} with the given options applied.
     *
     * @param method names the method in errors
     * @throws IllegalArgumentException for an unknown key (listing the known ones), a bad value, or
     *                                  a combination the record rejects
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> R parse(String method, Map<String, String> options, R defaults) {
        Objects.requireNonNull(defaults, "defaults");
        RecordComponent[] cs = defaults.getClass().getRecordComponents();
        Map<String, RecordComponent> byKey = new LinkedHashMap<>();
        for (RecordComponent c : cs) byKey.put(kebab(c.getName()), c);
        Object[] values = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) values[i] = value(defaults, cs[i]);
        for (Map.Entry<String, String> e : options.entrySet()) {
            RecordComponent c = byKey.get(e.getKey());
            if (c == null)
                throw new IllegalArgumentException(method + ": unknown option '" + e.getKey() + "' (known: " + String.join(", ", byKey.keySet()) + ")");
            String v = e.getValue() == null ? "" : e.getValue().trim();
            try {
                values[Arrays.asList(cs).indexOf(c)] = convert(v, c.getType());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(method + " option " + e.getKey() + "=" + v + ": " + ex.getMessage(), ex);
            }
        }
        try {
            Class<?>[] types = Arrays.stream(cs).map(RecordComponent::getType).toArray(Class<?>[]::new);
            Constructor<R> k = (Constructor<R>) defaults.getClass().getDeclaredConstructor(types);
            k.setAccessible(true);
            return k.newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException ex) {
            Throwable t = ex.getCause();
            if (t instanceof IllegalArgumentException iae) throw new IllegalArgumentException(method + ": " + iae.getMessage(), iae);
            throw new IllegalStateException(method + ": options record rejected the values: " + t, t);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(method + ": cannot build the options record " + defaults.getClass().getName(), ex);
        }
    }

    private static Object value(Record r, RecordComponent c) {
        try {
            c.getAccessor().setAccessible(true);
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read option " + c.getName() + " of " + r.getClass().getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object convert(String v, Class<?> t) {
        if (!t.isPrimitive() && v.equalsIgnoreCase("none")) return null;
        try {
            if (t == int.class || t == Integer.class) return Integer.parseInt(v);
            if (t == long.class || t == Long.class) return Long.parseLong(v);
            if (t == double.class || t == Double.class) return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not " + (t == double.class || t == Double.class ? "a number" : "an integer"));
        }
        if (t == boolean.class || t == Boolean.class) {
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("on")) return true;
            if (v.equalsIgnoreCase("false") || v.equalsIgnoreCase("no") || v.equalsIgnoreCase("off")) return false;
            throw new IllegalArgumentException("expected true or false");
        }
        if (t == String.class) return v;
        if (t == Path.class) {
            if (v.isEmpty()) throw new IllegalArgumentException("empty path");
            return Path.of(v);
        }
        if (t.isEnum()) {
            String u = v.toUpperCase(Locale.ROOT).replace('-', '_');
            for (Object o : t.getEnumConstants()) if (((Enum) o).name().equals(u)) return o;
            throw new IllegalArgumentException("must be one of " + String.join(", ",
                    Arrays.stream(t.getEnumConstants()).map(o -> ((Enum<?>) o).name().toLowerCase(Locale.ROOT)).toList()));
        }
        throw new IllegalStateException("option type " + t.getName() + " is not supported");
    }
}
