package io.stylegan2.core.engine;

import io.stylegan2.core.ops.Broadcast;
import io.stylegan2.core.ops.ConstantWeightConv;
import io.stylegan2.core.ops.FirDepthwiseConv;
import io.stylegan2.core.ops.FusedBiasAct;
import io.stylegan2.core.ops.Upfirdn2dOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAddGrad;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DepthwiseConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Upsampling2d;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The one place where this library changes ND4J's process-wide state, and the one source of the
 * engine settings ({@link EngineOptions}) that graph builders and loops read.
 *
 * <p><b>Install.</b> {@link #install(EngineOptions)} applies, once per process:
 * <ul>
 *   <li>the Java-kernel op executioner ({@link EngineOptions#javaKernels()}, CPU backend only;
 *       {@code JavaKernels});</li>
 *   <li>the op-table replacements that let our op subclasses survive SameDiff's op copies
 *       ({@code Broadcast}'s multiply/add, {@code ConstantWeightConv}'s conv2d/deconv2d,
 *       {@code FirDepthwiseConv}; with Java kernels also {@code FusedBiasAct} and
 *       {@code Upfirdn2dOp}); re-created ordinary ops behave exactly as the stock ones;</li>
 *   <li>the {@code System.out} filter for SameDiff's "Added differentiated op" lines
 *       ({@link EngineOptions#filterStdout()}).</li>
 * </ul>
 * and logs the effective settings and what could be patched, in one INFO line. Library users need
 * not call it: {@link #get()} installs from {@link EngineOptions#fromSystem()} (system properties
 * and {@link EngineOptions#ENV}, read once) on first use, and the library calls {@code get()} (or
 * {@link #current()}) whenever it builds ops or runs a loop. Nothing is installed from static
 * initialisers. Applications that want other settings call {@code install} before building any
 * graph. Install is thread-safe and idempotent: installing options equal to the process-wide ones
 * returns the engine; installing different options afterwards throws
 * {@link IllegalStateException} naming the differences.
 *
 * <p><b>Reading.</b> Ops read {@link #current()} at graph build time (which formulation to build),
 * {@code StepMemory.Loop} when a loop starts, {@code MemoryPolicy.step()} at every step.
 *
 * <p><b>Changing.</b> {@link #with(UnaryOperator, Supplier)} runs code with changed settings on
 * the calling thread only and restores the previous ones after (tests comparing formulations);
 * {@link #update(UnaryOperator)} changes the process-wide settings for what is built or run later
 * (e.g. {@code MemoryPolicy.setGcEvery}). Both change only build-time choices and the memory
 * settings: {@code javaKernels} and {@code filterStdout} are fixed once installed.
 *
 * <p><b>Thread safety:</b> Thread-safe: {@link #install} and {@link #update} are serialised on one
 * static lock, the installed engine and its process-wide options are volatile, and the settings of
 * {@link #with} are per thread ({@code ThreadLocal}). {@link Patches} is immutable.
 */
public final class Engine {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final Object LOCK = new Object();
    private static final ThreadLocal<EngineOptions> SCOPED = new ThreadLocal<>();
    /** The installed engine; null until the first install. */
    private static volatile Engine installed;

    private final Patches patches;
    /** The process-wide settings: the installed ones, as changed by {@link #update}. */
    private volatile EngineOptions options;

    /**
     * What {@link #install} managed to patch.
     *
     * @param javaKernels        ops implementing {@link JavaKernel} run their Java code
     * @param broadcastBackward  {@code Broadcast.mul/add} can build their cheap backward
     * @param constantWeightConv {@code ConstantWeightConv} can build its input-only backward
     * @param firDepthwiseConv   {@code FirDepthwiseConv} can build its input-only backward
     * @param fusedBiasAct       {@code BiasAct} can build the fused Java kernel
     * @param upfirdn2dKernel    {@code Upfirdn2d} can build the Java kernel
     * @param stdoutFilter       SameDiff's gradient chatter is dropped from {@code System.out}
     */
    public record Patches(boolean javaKernels, boolean broadcastBackward, boolean constantWeightConv, boolean firDepthwiseConv,
                          boolean fusedBiasAct, boolean upfirdn2dKernel, boolean stdoutFilter) {
        @Override
        public String toString() {
            return "javaKernels=" + on(javaKernels) + " broadcastBackward=" + on(broadcastBackward) + " constantWeightConv=" + on(constantWeightConv)
                    + " firDepthwiseConv=" + on(firDepthwiseConv) + " fusedBiasAct=" + on(fusedBiasAct) + " upfirdn2dKernel=" + on(upfirdn2dKernel)
                    + " stdoutFilter=" + on(stdoutFilter);
        }

        private static String on(boolean b) {
            return b ? "on" : "off";
        }
    }

    private Engine(EngineOptions options, Patches patches) {
        this.options = options;
        this.patches = patches;
    }

    /**
     * Installs the engine with {@code options} (see the class comment), or returns the installed
     * engine if its process-wide options equal {@code options}.
     *
     * @throws IllegalStateException if the engine is installed with different options (e.g. lazily,
     *                               from the system properties, because a graph was built first)
     */
    public static Engine install(EngineOptions options) {
        return install(options, "explicit");
    }

    /** The engine, installed from {@link EngineOptions#fromSystem()} if nothing was installed yet. */
    public static Engine get() {
        Engine e = installed;
        if (e != null) return e;
        synchronized (LOCK) {
            e = installed;
            return e != null ? e : install(EngineOptions.fromSystem(), EngineOptions.ENV + "/system properties");
        }
    }

    private static Engine install(EngineOptions options, String source) {
        Objects.requireNonNull(options, "options");
        Engine e = installed;
        if (e == null) {
            synchronized (LOCK) {
                e = installed;
                if (e == null) {
                    e = new Engine(options, patch(options));
                    installed = e;
                    log.debug("StyleGAN2 engine installed ({}): {}; {}", source, options.toSpec(), e.patches);
                    return e;
                }
            }
        }
        EngineOptions now = e.options;
        if (!now.equals(options))
            throw new IllegalStateException("the StyleGAN2 engine is already installed with " + now.toSpec() + "; cannot install other options ("
                    + now.differences(options) + "): call Engine.install before the first graph is built, or use Engine.with / Engine.update"
                    + " for build-time and memory settings");
        return e;
    }

    private static Patches patch(EngineOptions o) {
        boolean kernels = o.javaKernels() && JavaKernels.install();
        boolean broadcast = OpTable.replace(MulOp.OP_NAME, MulOp.class, Broadcast.Mul.class)
                & OpTable.replace(AddOp.OP_NAME, AddOp.class, Broadcast.Add.class);
        boolean conv = OpTable.replace("conv2d", Conv2D.class, ConstantWeightConv.Conv.class)
                && OpTable.replace("deconv2d", DeConv2D.class, ConstantWeightConv.Deconv.class);
        boolean fir = OpTable.replace("depthwise_conv2d", DepthwiseConv2D.class, FirDepthwiseConv.class);
        boolean fused = kernels && OpTable.replace("biasadd", BiasAdd.class, FusedBiasAct.class)
                && OpTable.replace("biasadd_bp", BiasAddGrad.class, FusedBiasAct.Grad.class);
        boolean upfirdn2d = kernels && OpTable.replace("upsampling2d", Upsampling2d.class, Upfirdn2dOp.class);
        boolean quiet = o.filterStdout() && StdoutFilter.install();
        return new Patches(kernels, broadcast, conv, fir, fused, upfirdn2d, quiet);
    }

    /**
     * The settings in effect on the calling thread: those of the innermost {@link #with} running on
     * it, else the process-wide ones. Installs the engine on first use. Read at graph build time.
     */
    public static EngineOptions current() {
        EngineOptions scoped = SCOPED.get();
        return scoped != null ? scoped : get().options;
    }

    /**
     * Runs {@code body} with the settings {@code change} makes of {@link #current()}, on the calling
     * thread only (graphs built and loops started there; graphs built before, e.g. those a
     * {@code Generator} caches, keep their formulation), and restores the previous settings after,
     * also when {@code body} throws. Nests. E.g.
     * {@code Engine.with(o -> o.withUpfirdn2d(Upfirdn2dPath.REFERENCE), () -> build(...))}.
     *
     * @throws IllegalArgumentException if {@code change} alters {@code javaKernels} or {@code filterStdout}
     */
    public static <T> T with(UnaryOperator<EngineOptions> change, Supplier<T> body) {
        EngineOptions before = SCOPED.get();
        EngineOptions base = current();
        EngineOptions next = Objects.requireNonNull(change.apply(base), "change returned null");
        requireSameInstalled(base, next, "Engine.with");
        SCOPED.set(next);
        try {
            return body.get();
        } finally {
            if (before == null) SCOPED.remove();
            else SCOPED.set(before);
        }
    }

    /** As {@link #with(UnaryOperator, Supplier)} for code without a result. */
    public static void with(UnaryOperator<EngineOptions> change, Runnable body) {
        with(change, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Replaces the process-wide settings by what {@code change} makes of them (logged at INFO when
     * they change); graphs already built keep their formulation, threads inside {@link #with} keep
     * their scoped settings.
     *
     * @throws IllegalArgumentException if {@code change} alters {@code javaKernels} or {@code filterStdout}
     */
    public static void update(UnaryOperator<EngineOptions> change) {
        synchronized (LOCK) {
            Engine e = get();
            EngineOptions next = Objects.requireNonNull(change.apply(e.options), "change returned null");
            requireSameInstalled(e.options, next, "Engine.update");
            if (!next.equals(e.options)) {
                log.info("StyleGAN2 engine options changed: {}", e.options.differences(next));
                e.options = next;
            }
        }
    }

    private static void requireSameInstalled(EngineOptions a, EngineOptions b, String what) {
        if (a.javaKernels() != b.javaKernels() || a.filterStdout() != b.filterStdout())
            throw new IllegalArgumentException(what + " changes only build-time choices and memory settings; javaKernels and filterStdout are fixed at install ("
                    + a.differences(b) + ")");
    }

    /** The process-wide settings (without any {@link #with} override). */
    public EngineOptions options() {
        return options;
    }

    /** What install patched. */
    public Patches patches() {
        return patches;
    }
}
