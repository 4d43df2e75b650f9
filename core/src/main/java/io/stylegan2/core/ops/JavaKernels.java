package io.stylegan2.core.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.List;

/**
 * Runs ops whose kernel is written in Java inside SameDiff graphs, on the CPU backend.
 *
 * <p>ND4J 1.0.0-M2.1 executes every custom op of a graph in libnd4j, looked up by the op's name;
 * it has no hook for a kernel written by its user. This class adds one: it replaces ND4J's op
 * executioner (once, by reflection, at class initialisation) with a subclass of the stock CPU
 * executioner that hands ops implementing {@link Kernel} (and saying so for this instance) to
 * their own {@link Kernel#compute} and every other op, unchanged, to the stock code. The ops stay
 * ordinary SameDiff ops (a subclass of a stock op whose shape function gives the right output
 * shapes), so the session allocates their outputs (recycled by {@link io.stylegan2.core.StepMemory})
 * and their {@code doDiff} builds the backward as usual.
 *
 * <p>It is off (and callers use their stock-op formulation) when the backend is not the CPU one
 * (the CUDA profile), when ND4J's internals are not as expected (logged as a warning), or when the
 * system property {@link #PROPERTY} is {@code false}.
 */
public final class JavaKernels {
    private static final Logger log = LoggerFactory.getLogger(JavaKernels.class);

    /** System property: {@code false} keeps the stock-op formulations (read once, when the class initialises). */
    public static final String PROPERTY = "stylegan2.javaKernels";

    private static final String CPU_EXECUTIONER = "org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner";
    private static final boolean ACTIVE = install();

    private JavaKernels() {}

    /** An op whose kernel is Java code. */
    interface Kernel {
        /** False for instances that should run the stock native op (e.g. re-created ordinary ops). */
        boolean isJavaKernel();

        /** Computes the outputs (already allocated, of the shapes the op's shape function gave) from the inputs. */
        void compute(INDArray[] inputs, INDArray[] outputs);
    }

    /** Whether Java kernels run (false: callers build their stock-op formulation). */
    public static boolean active() {
        return ACTIVE;
    }

    private static boolean install() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) return false;
        try {
            OpExecutioner current = Nd4j.getExecutioner();
            if (current.getClass().getEnclosingClass() == JavaKernels.class) return true; // installed before
            // by name: on other backends (CUDA) the CPU executioner class is not on the class path
            if (!current.getClass().getName().equals(CPU_EXECUTIONER)) {
                log.info("Java kernels off: the op executioner is {}, not ND4J's CPU executioner", current.getClass().getName());
                return false;
            }
            Executioner ours = new Executioner(current.getProfilingMode());
            Field f = Nd4j.class.getDeclaredField("OP_EXECUTIONER_INSTANCE");
            f.setAccessible(true);
            synchronized (Nd4j.class) {
                if (f.get(null) == current) f.set(null, ours);
            }
            return Nd4j.getExecutioner() instanceof Executioner;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn("Java kernels off: ND4J's executioner could not be extended ({})", e.toString());
            return false;
        }
    }

    /** ND4J's CPU executioner, handing {@link Kernel}s to their Java code. */
    private static final class Executioner extends NativeOpExecutioner {
        Executioner(OpExecutioner.ProfilingMode mode) {
            setProfilingMode(mode);
        }

        @Override
        public INDArray[] exec(CustomOp op, OpContext context) {
            if (op instanceof Kernel k && k.isJavaKernel()) {
                INDArray[] out = context.getOutputArrays().toArray(new INDArray[0]);
                k.compute(context.getInputArrays().toArray(new INDArray[0]), out);
                return out;
            }
            return super.exec(op, context);
        }

        @Override
        public INDArray[] exec(CustomOp op) {
            if (op instanceof Kernel k && k.isJavaKernel()) {
                if (op.numOutputArguments() == 0) {
                    List<LongShapeDescriptor> shapes = op.calculateOutputShape(); // the op's own shape function
                    for (LongShapeDescriptor s : shapes) op.addOutputArgument(Nd4j.create(s, false));
                }
                INDArray[] out = op.outputArguments().toArray(new INDArray[0]);
                k.compute(op.inputArguments().toArray(new INDArray[0]), out);
                return out;
            }
            return super.exec(op);
        }
    }
}
