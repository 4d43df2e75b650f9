package io.stylegan2.core.engine;

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
 * Runs ops whose kernel is written in Java ({@link JavaKernel}) inside SameDiff graphs, on the CPU
 * backend.
 *
 * <p>ND4J 1.0.0-M2.1 executes every custom op of a graph in libnd4j, looked up by the op's name;
 * it has no hook for a kernel written by its user. {@link #install()} adds one: it replaces ND4J's
 * op executioner (by reflection) with a subclass of the stock CPU executioner that hands ops
 * implementing {@link JavaKernel} (and saying so for this instance) to their own
 * {@link JavaKernel#compute} and every other op, unchanged, to the stock code. The ops stay
 * ordinary SameDiff ops (a subclass of a stock op whose shape function gives the right output
 * shapes), so the session allocates their outputs (recycled by {@code StepMemory}) and their
 * {@code doDiff} builds the backward as usual.
 *
 * <p>Called once, by {@link Engine} when {@link EngineOptions#javaKernels()} is on. It declines
 * (and the ops use their stock-op formulation) when the backend is not the CPU one (the CUDA
 * profile) or when ND4J's internals are not as expected (logged as a warning).
 */
final class JavaKernels {
    private static final Logger log = LoggerFactory.getLogger(JavaKernels.class);

    private static final String CPU_EXECUTIONER = "org.nd4j.linalg.cpu.nativecpu.ops.NativeOpExecutioner";

    private JavaKernels() {}

    /** Installs the executioner (idempotent); whether Java kernels run. */
    static boolean install() {
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

    /** ND4J's CPU executioner, handing {@link JavaKernel}s to their Java code. */
    private static final class Executioner extends NativeOpExecutioner {
        Executioner(OpExecutioner.ProfilingMode mode) {
            setProfilingMode(mode);
        }

        @Override
        public INDArray[] exec(CustomOp op, OpContext context) {
            if (op instanceof JavaKernel k && k.isJavaKernel()) {
                INDArray[] out = context.getOutputArrays().toArray(new INDArray[0]);
                k.compute(context.getInputArrays().toArray(new INDArray[0]), out);
                return out;
            }
            return super.exec(op, context);
        }

        @Override
        public INDArray[] exec(CustomOp op) {
            if (op instanceof JavaKernel k && k.isJavaKernel()) {
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
