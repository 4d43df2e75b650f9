package io.stylegan2.inversion;

import io.stylegan2.inversion.projector.NvidiaConfig;
import io.stylegan2.inversion.projector.NvidiaProjector;
import io.stylegan2.inversion.projector.WPlusConfig;
import io.stylegan2.inversion.projector.WPlusProjector;
import io.stylegan2.stylegan.Generator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The method registry: name -> factory. Immutable; {@link #builtIn()} lists the shipped methods
 * (a new method adds one {@code .with(...)} line there), {@link #with} makes an extended copy for
 * callers that bring their own.
 */
public final class Methods {

    /**
     * What a factory gets.
     *
     * @param generator  the generator to invert
     * @param perceptual a perceptual distance, or null (methods then fall back as they document)
     * @param steps      override of the method's step count, or null for its default
     * @param options    free-form method options ({@code key=value} from the command line), never null
     * @param discriminator where the checkpoint's discriminator comes from, for methods that need one (loaded on demand)
     */
    public record Context(Generator generator, PerceptualLoss perceptual, Integer steps, Map<String, String> options,
                          DiscriminatorSource discriminator) {
        public Context {
            if (generator == null) throw new IllegalArgumentException("no generator");
            options = options == null ? Map.of() : Map.copyOf(options);
            if (discriminator == null) discriminator = DiscriminatorSource.NONE;
        }

        /** A context without a discriminator. */
        public Context(Generator generator, PerceptualLoss perceptual, Integer steps, Map<String, String> options) {
            this(generator, perceptual, steps, options, DiscriminatorSource.NONE);
        }
    }

    /** Loads the checkpoint's discriminator on demand; returns null when the model has none. */
    @FunctionalInterface
    public interface DiscriminatorSource {
        DiscriminatorSource NONE = () -> null;

        io.stylegan2.stylegan.Discriminator load() throws java.io.IOException;
    }

    /** Makes an inverter from a context. */
    @FunctionalInterface
    public interface Factory {
        Inverter create(Context context) throws Exception;
    }

    /** A registered method. */
    public record Method(String name, String description, Factory factory) {}

    private final Map<String, Method> methods;

    private Methods(Map<String, Method> methods) {
        this.methods = Collections.unmodifiableMap(methods);
    }

    /** The shipped methods. */
    public static Methods builtIn() {
        return new Methods(new LinkedHashMap<>())
                .with(NvidiaProjector.NAME, "official StyleGAN2-ADA projector: one w + noise maps, LPIPS-VGG (1000 steps)",
                        c -> new NvidiaProjector(c.generator(), c.perceptual(),
                                c.steps() == null ? NvidiaConfig.defaults() : NvidiaConfig.defaults().withSteps(c.steps())))
                .with(WPlusProjector.NAME, "Image2StyleGAN W+ optimisation: MSE + perceptual, Adam 0.01 (5000 steps)",
                        c -> new WPlusProjector(c.generator(), c.perceptual(),
                                c.steps() == null ? WPlusConfig.defaults() : WPlusConfig.defaults().withSteps(c.steps())))
                .with(io.stylegan2.inversion.pti.PtiInverter.NAME, "PTI: pivot from the W projector (option pivot-steps, default 1000), then tune all synthesis weights with L2 + LPIPS (350 steps, needs LPIPS weights)",
                        c -> new io.stylegan2.inversion.pti.PtiInverter(c.generator(),
                                new NvidiaProjector(c.generator(), c.perceptual(), NvidiaConfig.defaults().withSteps(intOption(c, "pivot-steps", NvidiaConfig.defaults().steps()))),
                                c.perceptual(),
                                c.steps() == null ? io.stylegan2.inversion.pti.PtiConfig.defaults() : io.stylegan2.inversion.pti.PtiConfig.defaults().withMaxSteps(c.steps())))
                .with(io.stylegan2.inversion.encoder.EncoderInverter.NAME, "trained ReStyle encoder (option encoder=FILE from train-encoder; iterations=3)",
                        c -> {
                            String f = c.options().get("encoder");
                            if (f == null) throw new IllegalArgumentException("method encoder needs --option encoder=FILE (an encoder.safetensors from train-encoder)");
                            return new io.stylegan2.inversion.encoder.EncoderInverter(c.generator(),
                                    io.stylegan2.inversion.encoder.Encoder.load(java.nio.file.Path.of(f)), intOption(c, "iterations", 3), c.perceptual());
                        })
                .with(io.stylegan2.inversion.nearperfect.NearPerfectInverter.NAME, "near-perfect inversion: initial latent (encoder=FILE, init=FILE|DIR, else W+ for init-steps=200), "
                                + "then tune all synthesis weights with Laplacian pyramid + local adversarial + global cohesion (300 steps; needs the model's discriminator)",
                        io.stylegan2.inversion.nearperfect.NearPerfectInverter::fromContext);
    }

    /** Integer option {@code key}, or {@code dflt}; a clear error when it is not an integer. */
    public static int intOption(Context c, String key, int dflt) {
        String v = c.options().get(key);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " must be an integer, got '" + v + "'");
        }
    }

    /** A copy with one more method (or a replaced one). */
    public Methods with(String name, String description, Factory factory) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9_-]*")) throw new IllegalArgumentException("invalid method name '" + name + "'");
        Map<String, Method> m = new LinkedHashMap<>(methods);
        m.put(name, new Method(name, description, factory));
        return new Methods(m);
    }

    public Set<String> names() {
        return methods.keySet();
    }

    public Method get(String name) {
        Method m = methods.get(name);
        if (m == null) throw new IllegalArgumentException("unknown inversion method '" + name + "' (one of " + String.join(", ", names()) + ")");
        return m;
    }

    /** Creates the named method's inverter. */
    public Inverter create(String name, Context context) throws Exception {
        return get(name).factory().create(context);
    }
}
