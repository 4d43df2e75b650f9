package io.stylegan2.core;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Recycles the working arrays of a SameDiff graph that is run once per step of a loop (an
 * optimisation step: forward, backward), so the loop stops allocating fresh native memory.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 a gradient run of the 256 px inversion step allocates ~1200 arrays
 * (~1 GiB) through its session memory manager but hands only ~80 of them back; the rest are
 * dropped at the end of the run and freed when the Java garbage collector finds them. Every step
 * therefore touches hundreds of MiB of fresh pages (page faults and kernel zeroing cost ~0.6 ms per
 * MiB on the reference machine) and the resident size swings with the GC.
 *
 * <p>How: installed as the session's memory manager ({@link #install}), it serves each request
 * from a pool of arrays of the same data type and length, and at {@link #endStep()} takes back
 * every array it handed out during the step. Arrays the session asks for as "detached" (the
 * results returned to the caller, e.g. the gradients) are never pooled. A result can still be a
 * view of a working array (an output produced by a reshape, say), so callers pass the results they
 * keep to {@link #endStep(Collection)}, which leaves any array holding them to the garbage
 * collector. Tested: an optimisation gives bit-identical results with and without recycling, and
 * kept results survive later steps.
 *
 * <p><b>Thread safety:</b> Thread-safe: calls are serialised (the state-changing methods are
 * {@code synchronized} per instance); in practice one instance serves one thread's session.
 * {@link Loop} is not thread-safe: use one per thread and graph loop.
 */
public final class StepMemory extends AbstractMemoryMgr {
    private record Key(DataType type, long length) {}

    private final Map<Key, ArrayDeque<INDArray>> pool = new HashMap<>();
    /** Handed-out array (a view of the requested shape) -> its flat [n] base. */
    private final Map<INDArray, INDArray> live = new IdentityHashMap<>();
    private long pooledBytes, liveBytes, created;
    private boolean recycleResults;

    /**
     * Whether a {@link Loop} started now (on this thread) recycles: the engine setting
     * {@code stepMemory} ({@link EngineOptions#stepMemory()}, default true;
     * {@code -Dstylegan2.stepMemory=false} turns it off).
     */
    public static boolean enabled() {
        return Engine.current().stepMemory();
    }

    /**
     * The per-loop handle used by the library's loops: call {@link #stepDone} after each run of the
     * graph (and after the caller has used the run's results). A {@link #Loop(SameDiff) gradient
     * loop} recycles the arrays of {@code sd.calculateGradients} (the graph's gradient function), a
     * {@link #forward(SameDiff) forward loop} those of {@code sd.output}. The first call installs
     * a StepMemory on that graph's session for the calling thread, later calls end the step (runs
     * on other threads use their own sessions and are not recycled). Does nothing when
     * {@link #enabled()} was false at construction.
     *
     * <p><b>Thread safety:</b> Not thread-safe: use one instance per thread (it installs its
     * StepMemory for the thread of the first {@link #stepDone} call).
     */
    public static final class Loop {
        private final SameDiff sd;
        private final boolean gradient;
        private final boolean on = enabled();
        private StepMemory memory;

        /** A loop over gradient runs ({@code calculateGradients}) of {@code sd}. */
        public Loop(SameDiff sd) {
            this(sd, true);
        }

        private Loop(SameDiff sd, boolean gradient) {
            this.sd = Objects.requireNonNull(sd, "sd");
            this.gradient = gradient;
        }

        /** A loop over forward runs ({@code output}) of {@code sd}. */
        public static Loop forward(SameDiff sd) {
            return new Loop(sd, false);
        }

        /** Ends a step; {@code keep}: results of the run the caller still holds (null entries ignored). */
        public void stepDone(INDArray... keep) {
            if (!on) return;
            if (memory == null) {
                SameDiff graph = gradient ? sd.getFunction("grad") : sd;
                if (graph != null) memory = install(graph);
                return;
            }
            List<INDArray> k = new java.util.ArrayList<>(keep.length);
            for (INDArray a : keep) if (a != null) k.add(a);
            memory.endStep(k);
        }

        /** The installed StepMemory, or null (before the first step, or disabled). */
        public StepMemory memory() {
            return memory;
        }
    }

    /**
     * Installs a new StepMemory as the memory manager of {@code sd}'s session for the calling
     * thread (creating that session if needed). For a gradient loop pass
     * {@code sd.getFunction("grad")} after {@code sd.createGradFunction()}.
     */
    public static StepMemory install(SameDiff sd) {
        Objects.requireNonNull(sd, "sd");
        InferenceSession s = sd.getSessions().computeIfAbsent(Thread.currentThread().getId(), k -> new InferenceSession(sd));
        StepMemory m = new StepMemory();
        s.setMmgr(m);
        return m;
    }

    /**
     * Whether the results of a run ("detached" arrays) come from the pool too and go back at the
     * end of the step, like the working arrays; for callers that are done with a step's results
     * before the step ends (a benchmark timing an op whose output would otherwise be fresh memory
     * every call). Default false.
     */
    public synchronized void setRecycleResults(boolean on) {
        recycleResults = on;
    }

    @Override
    public synchronized INDArray allocate(boolean detached, DataType dataType, long... shape) {
        if (detached && !recycleResults) return Nd4j.createUninitializedDetached(dataType, shape);
        long n = 1;
        for (long d : shape) n *= d;
        Key k = new Key(dataType, n);
        ArrayDeque<INDArray> q = pool.get(k);
        INDArray buf = q == null ? null : q.pollLast();
        if (buf == null) {
            buf = Nd4j.createUninitializedDetached(dataType, n);
            created++;
        } else {
            pooledBytes -= bytes(k);
        }
        INDArray out = shape.length == 1 && shape[0] == n ? buf : buf.reshape('c', false, shape);
        live.put(out, buf);
        liveBytes += bytes(k);
        return out;
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.getOrder() != 'c') return Nd4j.createUninitialized(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder());
        return allocate(detached, descriptor.dataType(), descriptor.getShape());
    }

    @Override
    public synchronized void release(INDArray array) {
        INDArray base = live.remove(array);
        if (base == null) return; // not ours (or already back): the garbage collector frees it
        liveBytes -= giveBack(base);
    }

    /** Puts a flat base array back into the pool; returns its size in bytes. */
    private long giveBack(INDArray base) {
        Key k = new Key(base.dataType(), base.length());
        pool.computeIfAbsent(k, x -> new ArrayDeque<>()).addLast(base);
        pooledBytes += bytes(k);
        return bytes(k);
    }

    /** Takes back every array handed out since the last call (see the class comment for the contract). */
    public synchronized void endStep() {
        endStep(List.of());
    }

    /**
     * As {@link #endStep()}, except that arrays whose memory holds any of {@code keep} (results the
     * caller goes on reading, e.g. an output that is a view of a working array) are left to the
     * garbage collector instead of being reused.
     */
    public synchronized void endStep(Collection<INDArray> keep) {
        for (INDArray base : live.values()) {
            if (!holdsAny(base, keep)) giveBack(base);
        }
        live.clear();
        liveBytes = 0;
    }

    private static boolean holdsAny(INDArray base, Collection<INDArray> keep) {
        if (keep.isEmpty()) return false;
        long lo = base.data().address(), hi = lo + base.length() * base.dataType().width();
        for (INDArray k : keep) {
            if (k == null || k.isEmpty()) continue;
            long a = k.data().address();
            long b = a + k.offset() * k.dataType().width();
            if ((a >= lo && a < hi) || (b >= lo && b < hi)) return true;
        }
        return false;
    }

    /** Bytes held in the pool (free for the next requests). */
    public synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** Bytes handed out since the last {@link #endStep()} and not released yet. */
    public synchronized long liveBytes() {
        return liveBytes;
    }

    /** Arrays created (not served from the pool) so far. */
    public synchronized long created() {
        return created;
    }

    private static long bytes(Key k) {
        return k.length() * k.type().width();
    }

    /** Drops the pool (the arrays are freed by the garbage collector). */
    @Override
    public synchronized void close() {
        pool.clear();
        live.clear();
        pooledBytes = liveBytes = 0;
    }
}
