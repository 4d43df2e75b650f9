package io.stylegan2.core.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The engine's settings, one immutable value: which formulation each op builds, whether ops with
 * Java kernels run, the memory policy of long loops and the stdout filter. See {@link Engine} for
 * when they are read and how to change them.
 *
 * <p>Each setting has a short name (used in {@link #ENV} and in {@link #toSpec()}) and a system
 * property {@code stylegan2.<name>}:
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>values</th><th>default</th><th>what</th></tr>
 *   <tr><td>{@code upfirdn2d}</td><td>{@code auto|conv|reference}</td><td>auto</td><td>{@link Upfirdn2dPath}</td></tr>
 *   <tr><td>{@code modconv}</td><td>{@code auto|reference|fused}</td><td>auto</td><td>{@link ModConvPath}</td></tr>
 *   <tr><td>{@code biasAct}</td><td>{@code auto|reference}</td><td>auto</td><td>{@link BiasActPath}</td></tr>
 *   <tr><td>{@code convBackward}</td><td>{@code auto|stock}</td><td>auto</td><td>{@link ConvBackward}</td></tr>
 *   <tr><td>{@code javaKernels}</td><td>{@code true|false}</td><td>true</td><td>run ops whose kernel is Java code (CPU backend only)</td></tr>
 *   <tr><td>{@code stepMemory}</td><td>{@code true|false}</td><td>true</td><td>{@code StepMemory.Loop} recycles working arrays</td></tr>
 *   <tr><td>{@code gcEvery}</td><td>integer &gt;= 0</td><td>{@value #DEFAULT_GC_EVERY}</td><td>{@code MemoryPolicy.step()} runs {@code System.gc()} every this many steps (0: never)</td></tr>
 *   <tr><td>{@code filterStdout}</td><td>{@code true|false}</td><td>true</td><td>drop SameDiff's "Added differentiated op" lines from {@code System.out}</td></tr>
 * </table>
 * {@link #fromSystem()} starts from the defaults, applies {@link #ENV}
 * ({@code STYLEGAN2_ENGINE="upfirdn2d=reference,gcEvery=10"}), then the system properties
 * ({@code -Dstylegan2.upfirdn2d=reference}): a property wins over the environment. Values are
 * case-insensitive; a bad value is an {@link IllegalArgumentException} naming the property or
 * the environment entry.
 *
 * <p><b>Thread safety:</b> Immutable (a record of enums, booleans and an int); safe to share
 * between threads.
 *
 * @param upfirdn2d    formulation of {@code Upfirdn2d.upfirdn2d}
 * @param modconv      formulation of the networks' modulated convolutions ({@code ModulatedConv2d.preferFused})
 * @param biasAct      formulation of {@code BiasAct.biasAct}
 * @param convBackward backward of the convolutions with a constant weight ({@code ConstantWeightConv})
 * @param javaKernels  install the executioner that runs Java kernels (fixed at install)
 * @param stepMemory   whether {@code StepMemory.Loop}s recycle working arrays
 * @param gcEvery      period of {@code MemoryPolicy.step()}'s {@code System.gc()}, in steps; 0 never
 * @param filterStdout install the {@code System.out} filter (fixed at install)
 */
public record EngineOptions(Upfirdn2dPath upfirdn2d, ModConvPath modconv, BiasActPath biasAct, ConvBackward convBackward,
                            boolean javaKernels, boolean stepMemory, int gcEvery, boolean filterStdout) {

    /** Environment variable with comma-separated {@code name=value} settings (names as in the class comment). */
    public static final String ENV = "STYLEGAN2_ENGINE";
    /** Prefix of the system properties: {@code stylegan2.<name>}. */
    public static final String PROPERTY_PREFIX = "stylegan2.";
    /** Default of {@link #gcEvery()}. */
    public static final int DEFAULT_GC_EVERY = 50;

    /** Which formulation {@code Upfirdn2d.upfirdn2d} builds. */
    public enum Upfirdn2dPath {
        /**
         * The Java kernel ({@code Upfirdn2dOp}) for FLOAT and DOUBLE inputs with a filter when Java
         * kernels are active (the CPU backend), else as {@link #CONV}.
         */
        AUTO,
        /** The oneDNN convolutions (depthwise or transposed) where the channel count is known, else the reference. */
        CONV,
        /** Always the reference formulation (zero insertion, pad, single-channel conv). */
        REFERENCE
    }

    /** Which modulated-convolution formulation the networks use ({@code ModulatedConv2d.preferFused}). */
    public enum ModConvPath {
        /** {@code preferFused} decides per layer. */
        AUTO,
        /** Always the reference (broadcast) path. */
        REFERENCE,
        /** The fused path wherever it applies (static batch, no padder). */
        FUSED
    }

    /** Which formulation {@code BiasAct.biasAct} builds. */
    public enum BiasActPath {
        /** The fused Java kernel ({@code FusedBiasAct}) where Java kernels are active and there is a bias, else the reference. */
        AUTO,
        /** Always the stock-op formulation. */
        REFERENCE
    }

    /** Which backward the convolutions of {@code ConstantWeightConv} get. */
    public enum ConvBackward {
        /** The input-only backward where the weight is a constant (else the stock one). */
        AUTO,
        /** Always the stock {@code conv2d_bp} / {@code deconv2d_bp}. */
        STOCK
    }

    public EngineOptions {
        Objects.requireNonNull(upfirdn2d, "upfirdn2d");
        Objects.requireNonNull(modconv, "modconv");
        Objects.requireNonNull(biasAct, "biasAct");
        Objects.requireNonNull(convBackward, "convBackward");
        if (gcEvery < 0) throw new IllegalArgumentException("gcEvery must be >= 0, got " + gcEvery);
    }

    /** Everything on: the fast paths where they apply, recycling, a collection every 50 steps, the stdout filter. */
    public static EngineOptions defaults() {
        return new EngineOptions(Upfirdn2dPath.AUTO, ModConvPath.AUTO, BiasActPath.AUTO, ConvBackward.AUTO, true, true, DEFAULT_GC_EVERY, true);
    }

    /** The defaults, then {@link #ENV}, then the {@code stylegan2.*} system properties (see the class comment). */
    public static EngineOptions fromSystem() {
        return parse(System::getProperty, System.getenv(ENV));
    }

    /**
     * The defaults, then the settings of {@code env} (the value of {@link #ENV}; null or blank for
     * none), then those of {@code properties} (a lookup of system properties by full name, e.g.
     * {@code System::getProperty}; null or blank values are unset).
     *
     * @throws IllegalArgumentException naming the property or environment entry, for an unknown
     *                                  name in {@code env} or a bad value
     */
    public static EngineOptions parse(Function<String, String> properties, String env) {
        EngineOptions o = defaults();
        if (env != null && !env.isBlank()) {
            for (String entry : env.split(",")) {
                if (entry.isBlank()) continue;
                int eq = entry.indexOf('=');
                if (eq < 0) throw new IllegalArgumentException(ENV + ": entry '" + entry.trim() + "' is not name=value");
                String name = entry.substring(0, eq).trim();
                Setting s = Setting.byName(name);
                if (s == null)
                    throw new IllegalArgumentException(ENV + ": unknown setting '" + name + "' (known: " + Setting.names() + ")");
                o = s.apply(o, entry.substring(eq + 1).trim(), ENV + " entry " + s.key);
            }
        }
        if (properties != null) {
            for (Setting s : Setting.values()) {
                String v = properties.apply(s.property());
                if (v != null && !v.isBlank()) o = s.apply(o, v.trim(), s.property());
            }
        }
        return o;
    }

    /** The system property of setting {@code name} (e.g. {@code "upfirdn2d"} -> {@code "stylegan2.upfirdn2d"}). */
    public static String property(String name) {
        Setting s = Setting.byName(name);
        if (s == null) throw new IllegalArgumentException("unknown engine setting '" + name + "' (known: " + Setting.names() + ")");
        return s.property();
    }

    /** The settings as {@code name=value,...} in {@link #ENV}'s format (parsing it gives these options back). */
    public String toSpec() {
        return Arrays.stream(Setting.values()).map(s -> s.key + "=" + s.format(this)).collect(Collectors.joining(","));
    }

    /** The settings whose values differ between this and {@code other}, as {@code name=this->other}; empty if none. */
    public String differences(EngineOptions other) {
        return Arrays.stream(Setting.values()).filter(s -> !s.format(this).equals(s.format(other)))
                .map(s -> s.key + "=" + s.format(this) + "->" + s.format(other)).collect(Collectors.joining(","));
    }

    public EngineOptions withUpfirdn2d(Upfirdn2dPath v) {
        return new EngineOptions(v, modconv, biasAct, convBackward, javaKernels, stepMemory, gcEvery, filterStdout);
    }

    public EngineOptions withModconv(ModConvPath v) {
        return new EngineOptions(upfirdn2d, v, biasAct, convBackward, javaKernels, stepMemory, gcEvery, filterStdout);
    }

    public EngineOptions withBiasAct(BiasActPath v) {
        return new EngineOptions(upfirdn2d, modconv, v, convBackward, javaKernels, stepMemory, gcEvery, filterStdout);
    }

    public EngineOptions withConvBackward(ConvBackward v) {
        return new EngineOptions(upfirdn2d, modconv, biasAct, v, javaKernels, stepMemory, gcEvery, filterStdout);
    }

    public EngineOptions withJavaKernels(boolean v) {
        return new EngineOptions(upfirdn2d, modconv, biasAct, convBackward, v, stepMemory, gcEvery, filterStdout);
    }

    public EngineOptions withStepMemory(boolean v) {
        return new EngineOptions(upfirdn2d, modconv, biasAct, convBackward, javaKernels, v, gcEvery, filterStdout);
    }

    public EngineOptions withGcEvery(int v) {
        return new EngineOptions(upfirdn2d, modconv, biasAct, convBackward, javaKernels, stepMemory, v, filterStdout);
    }

    public EngineOptions withFilterStdout(boolean v) {
        return new EngineOptions(upfirdn2d, modconv, biasAct, convBackward, javaKernels, stepMemory, gcEvery, v);
    }

    /** One setting: its name, how it is parsed into and printed from the options. */
    private enum Setting {
        UPFIRDN2D("upfirdn2d") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withUpfirdn2d(constant(Upfirdn2dPath.class, v, source)); }
            Object value(EngineOptions o) { return o.upfirdn2d; }
        },
        MODCONV("modconv") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withModconv(constant(ModConvPath.class, v, source)); }
            Object value(EngineOptions o) { return o.modconv; }
        },
        BIAS_ACT("biasAct") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withBiasAct(constant(BiasActPath.class, v, source)); }
            Object value(EngineOptions o) { return o.biasAct; }
        },
        CONV_BACKWARD("convBackward") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withConvBackward(constant(ConvBackward.class, v, source)); }
            Object value(EngineOptions o) { return o.convBackward; }
        },
        JAVA_KERNELS("javaKernels") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withJavaKernels(bool(v, source)); }
            Object value(EngineOptions o) { return o.javaKernels; }
        },
        STEP_MEMORY("stepMemory") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withStepMemory(bool(v, source)); }
            Object value(EngineOptions o) { return o.stepMemory; }
        },
        GC_EVERY("gcEvery") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withGcEvery(count(v, source)); }
            Object value(EngineOptions o) { return o.gcEvery; }
        },
        FILTER_STDOUT("filterStdout") {
            EngineOptions apply(EngineOptions o, String v, String source) { return o.withFilterStdout(bool(v, source)); }
            Object value(EngineOptions o) { return o.filterStdout; }
        };

        final String key;

        Setting(String key) {
            this.key = key;
        }

        abstract EngineOptions apply(EngineOptions o, String value, String source);

        abstract Object value(EngineOptions o);

        String property() {
            return PROPERTY_PREFIX + key;
        }

        String format(EngineOptions o) {
            return value(o).toString().toLowerCase(Locale.ROOT);
        }

        static Setting byName(String name) {
            for (Setting s : values()) if (s.key.equalsIgnoreCase(name.trim())) return s;
            return null;
        }

        static String names() {
            return Arrays.stream(values()).map(s -> s.key).collect(Collectors.joining(", "));
        }

        static <E extends Enum<E>> E constant(Class<E> type, String v, String source) {
            try {
                return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                String allowed = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
                throw new IllegalArgumentException(source + " must be one of " + allowed + ", got '" + v + "'");
            }
        }

        static boolean bool(String v, String source) {
            if (v.equalsIgnoreCase("true")) return true;
            if (v.equalsIgnoreCase("false")) return false;
            throw new IllegalArgumentException(source + " must be true or false, got '" + v + "'");
        }

        static int count(String v, String source) {
            try {
                int n = Integer.parseInt(v);
                if (n >= 0) return n;
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(source + " must be an integer >= 0, got '" + v + "'");
        }
    }
}
