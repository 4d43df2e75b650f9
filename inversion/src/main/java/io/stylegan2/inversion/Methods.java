package io.stylegan2.inversion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The method registry: the {@link InversionMethod} providers found by {@link ServiceLoader}, by
 * name. Immutable; {@link #builtIn()} lists those on the class path (the shipped ones first, in the
 * order of their services file), {@link #with} makes an extended copy for callers that bring
 * their own.
 *
 * <p><b>Thread safety:</b> Thread-safe: an instance is immutable ({@link #with} returns a copy),
 * and {@link #builtIn()} runs the {@code ServiceLoader} discovery once, under the class lock,
 * publishing the result through a volatile field.
 */
public final class Methods {
    private static volatile Methods discovered;

    private final Map<String, InversionMethod<?>> methods;

    private Methods(Map<String, InversionMethod<?>> methods) {
        this.methods = Collections.unmodifiableMap(methods);
    }

    /** The methods on the class path (found once, then cached). */
    public static Methods builtIn() {
        Methods m = discovered;
        if (m == null) {
            synchronized (Methods.class) {
                if (discovered == null) {
                    Methods r = new Methods(new LinkedHashMap<>());
                    for (InversionMethod<?> p : ServiceLoader.load(InversionMethod.class, Methods.class.getClassLoader())) r = r.with(p);
                    discovered = r;
                }
                m = discovered;
            }
        }
        return m;
    }

    /** A copy with one more method (or a replaced one). */
    public Methods with(InversionMethod<?> method) {
        String name = method.name();
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]*")) throw new IllegalArgumentException("invalid method name '" + name + "'");
        Map<String, InversionMethod<?>> m = new LinkedHashMap<>(methods);
        m.put(name, method);
        return new Methods(m);
    }

    public Set<String> names() {
        return methods.keySet();
    }

    /** The named method; a clear error listing the names when absent. */
    public InversionMethod<?> get(String name) {
        InversionMethod<?> m = methods.get(name);
        if (m == null) throw new IllegalArgumentException("unknown inversion method '" + name + "' (one of " + String.join(", ", names()) + ")");
        return m;
    }

    /** The named method's options and defaults. */
    public List<MethodOptions.Option> options(String name) {
        return MethodOptions.describe(get(name).defaults());
    }

    /**
     * The renderer of a result of the named method ({@link InversionMethod#renderer}); the shared
     * {@link ReconstructionRenderer} for a method not in this registry (e.g. one saved by another program).
     */
    public Renderer renderer(String method, io.stylegan2.stylegan.Generator g, Reconstruction r) {
        InversionMethod<?> m = methods.get(method);
        return m == null ? new ReconstructionRenderer(g, r) : m.renderer(g, r);
    }

    /** Creates the named method's inverter: the context's options parsed into the method's record. */
    public Inverter create(String name, MethodContext context) throws Exception {
        return create(get(name), context);
    }

    private <O extends Record> Inverter create(InversionMethod<O> m, MethodContext context) throws Exception {
        O options = MethodOptions.parse(m.name(), context.options(), m.defaults());
        MethodContext c = context.methods() == this ? context
                : context.withMethods(this);
        return m.create(c, options);
    }
}
