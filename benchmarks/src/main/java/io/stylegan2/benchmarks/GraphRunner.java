package io.stylegan2.benchmarks;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.StepMemory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A built SameDiff graph that the benchmarks run forward (the output tensor) or forward +
 * backward (the gradients of {@code loss = sum(output)} w.r.t. chosen variables). The constructor
 * names the output {@value #OUT} and the loss {@value #LOSS} (before any gradient is built, as
 * SameDiff M2.1 needs) and runs each mode once, so the gradient function exists before timing
 * starts. Every {@link #forward} and {@link #backward} call counts one {@link MemoryPolicy#step()}
 * ({@link #forwardReused} does not: it has nothing to free). All modes recycle the run's
 * working arrays with {@link StepMemory}, as the library's loops and {@code Generator} do (the
 * returned output itself is a fresh array each call; {@code -Dstylegan2.stepMemory=false}, passed
 * with JMH's {@code -jvmArgsAppend}, measures plain SameDiff).
 */
final class GraphRunner {
    static final String OUT = "out";
    static final String LOSS = "loss";

    private final SameDiff sd;
    private final Map<String, INDArray> feed;
    private final String[] wrt;
    private final StepMemory.Loop memory;
    private final StepMemory.Loop forwardMemory;

    /**
     * @param out  the tensor the forward mode computes
     * @param feed placeholder values ({@code Map.of()} for none)
     * @param wrt  variables to differentiate {@code sum(out)} w.r.t.; empty = forward only
     */
    GraphRunner(SDVariable out, Map<String, INDArray> feed, String... wrt) {
        Engine.get();
        this.sd = out.getSameDiff();
        this.feed = feed;
        this.wrt = wrt.clone();
        this.memory = new StepMemory.Loop(sd);
        this.forwardMemory = StepMemory.Loop.forward(sd);
        out.rename(OUT);
        if (wrt.length > 0) {
            out.sum().rename(LOSS);
            sd.setLossVariables(LOSS);
        }
        forward();
        if (wrt.length > 0) backward();
    }

    /** The output tensor. */
    INDArray forward() {
        INDArray r = sd.output(feed, OUT).get(OUT);
        forwardMemory.stepDone(r);
        MemoryPolicy.step();
        return r;
    }

    /**
     * The output tensor, whose memory is recycled at the next call like every working array: an
     * op's speed without a fresh output array per call (whose first touch, page by page, can cost
     * more than the op on some machines), as the op runs inside a network loop. Read the result
     * before the next call.
     *
     * <p>Unlike the other modes this one does not count a {@link MemoryPolicy#step()}: after the
     * first calls it creates no array at all (every array, the output included, comes from the
     * pool; {@code GraphRunnerTest}), so there is nothing for a collection to free, and a
     * {@code System.gc()} every 50 calls (~25 ms each on the 2-vCPU VM) would add ~0.5 ms to every
     * call of a one-op graph, a cost a network pays once per 50 whole steps, not per op.
     */
    INDArray forwardReused() {
        INDArray r = sd.output(feed, OUT).get(OUT);
        forwardMemory.stepDone();
        if (forwardMemory.memory() != null) forwardMemory.memory().setRecycleResults(true);
        return r;
    }

    /** The pool of the forward mode ({@code null} with {@code -Dstylegan2.stepMemory=false}). */
    StepMemory forwardMemory() {
        return forwardMemory.memory();
    }

    /** Forward + backward: the gradients of {@code sum(out)} w.r.t. the {@code wrt} variables. */
    Map<String, INDArray> backward() {
        Map<String, INDArray> g = sd.calculateGradients(feed, wrt);
        memory.stepDone();
        MemoryPolicy.step();
        return g;
    }

    /** Names of every trainable variable of a graph (for "w.r.t. the input and all weights"). */
    static String[] variables(SameDiff sd) {
        return sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toArray(String[]::new);
    }
}
