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
 * <p>Example: invert a photo with W+ optimisation and save the result (Maven:
 * {@code io.stylegan2:stylegan2-inversion} (version from {@code io.stylegan2:stylegan2-bom}) and a native backend, see the README's "Use it from your
 * project"; the same code runs in {@code JavadocExamplesTest}):
 * <pre>{@code
 * import io.stylegan2.inversion.ImagePreparation;
 * import io.stylegan2.inversion.InversionResult;
 * import io.stylegan2.inversion.InversionResults;
 * import io.stylegan2.inversion.Inverter;
 * import io.stylegan2.inversion.MethodContext;
 * import io.stylegan2.inversion.Methods;
 * import io.stylegan2.inversion.Target;
 * import io.stylegan2.stylegan.Generator;
 * import java.nio.file.Path;
 *
 * try (Generator g = Generator.load(Path.of("model.safetensors"))) {
 *     Target target = new Target("photo", ImagePreparation.load(Path.of("photo.png"),
 *             g.config().imgResolution(), g.config().imgChannels()));        // centre crop, area resize
 *     Inverter inverter = Methods.builtIn().create("wplus", MethodContext.of(g).withSteps(300));
 *     InversionResult result = inverter.invert(target);                   // MSE only: no perceptual loss given
 *     double psnr = result.metrics().psnr();                              // dB, pixels in [0, 255]
 *     InversionResults.save(result, Path.of("result.safetensors"));
 * }
 * }</pre>
 * Add {@code .withPerceptual(lpips)} for LPIPS, and {@code --list-methods}' names and
 * {@code --option} keys work here as {@code create(name, ...)} and {@code withOptions(Map.of(key, value))}.
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
