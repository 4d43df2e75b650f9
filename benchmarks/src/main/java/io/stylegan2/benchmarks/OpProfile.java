package io.stylegan2.benchmarks;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of one inversion step goes, op by op: runs {@link InversionGraph} (W+ or PTI) for
 * {@code --steps} steps after {@code --warmup}, times every executed op (from SameDiff's
 * pre-execution to post-execution callback, so output allocation inside the op is included) and
 * prints, per op type, the count per step, ms per step and share of the step's wall time; the rest
 * (session bookkeeping between ops, Adam) is reported as "outside ops".
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.stylegan2.benchmarks.OpProfile
 * --resolution 256 --method wplus --steps 3}
 *
 * <p><b>Thread safety:</b> Not thread-safe: the timers and counters are unguarded fields; one
 * instance listens to one graph run from one thread (its {@code main}).
 */
public final class OpProfile extends BaseListener {
    private final Map<String, long[]> byType = new HashMap<>();
    private final Map<String, long[]> byShape = new HashMap<>();
    private String detail;
    private long start;
    private long lastEnd;
    private long between;
    private boolean faults;
    private long startFaults, lastFaults, betweenFaults;
    private boolean recording;

    private OpProfile() {}

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        if (faults && recording) {
            long f = minorFaults();
            if (lastEnd != 0) betweenFaults += f - lastFaults;
            startFaults = f;
        }
        start = System.nanoTime();
        if (recording && lastEnd != 0) between += start - lastEnd;
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        if (!recording) return;
        lastEnd = System.nanoTime();
        long dt = lastEnd - start;
        String type = op.getOp().opName();
        long[] acc = byType.computeIfAbsent(type, k -> new long[3]);
        acc[0]++;
        acc[1] += dt;
        if (faults) {
            lastFaults = minorFaults();
            acc[2] += lastFaults - startFaults;
        }
        if (detail != null && type.matches(detail)) {
            StringBuilder key = new StringBuilder(type);
            for (INDArray in : opContext.getInputArrays()) key.append(' ').append(java.util.Arrays.toString(in.shape()));
            long[] d = byShape.computeIfAbsent(key.toString(), k -> new long[2]);
            d[0]++;
            d[1] += dt;
        }
    }

    public static void main(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        int resolution = Integer.parseInt(a.getOrDefault("resolution", "256"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "3"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "2"));
        boolean pti = a.getOrDefault("method", "wplus").equals("pti");
        OpProfile prof = new OpProfile();
        prof.detail = a.get("detail");
        prof.faults = Boolean.parseBoolean(a.getOrDefault("faults", "false"));
        try (InversionGraph g = pti ? InversionGraph.pti(resolution) : InversionGraph.wplus(resolution)) {
            SameDiff sd = g.graph();
            sd.addListeners(prof);
            SameDiff grad = sd.getFunction("grad");
            if (grad != null) grad.addListeners(prof);
            CountingMmgr counting = null;
            if (a.containsKey("mmgr")) {
                g.step(); // creates the sessions
                try {
                    java.lang.reflect.Field f = SameDiff.class.getDeclaredField("sessions");
                    f.setAccessible(true);
                    for (Object sess : ((Map<?, ?>) f.get(grad)).values()) {
                        org.nd4j.autodiff.samediff.internal.InferenceSession is = (org.nd4j.autodiff.samediff.internal.InferenceSession) sess;
                        counting = new CountingMmgr(is.getMmgr());
                        is.setMmgr(counting);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            for (int i = 0; i < warmup; i++) g.step();
            if (counting != null) counting.reset();
            prof.recording = true;
            long f0 = minorFaults();
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                prof.lastEnd = 0; // gaps are counted within a step only
                g.step();
            }
            double wall = (System.nanoTime() - t0) / 1e6 / steps;
            long faults = (minorFaults() - f0) / steps;
            if (counting != null) System.out.println(counting.report(steps));
            if (a.containsKey("mmgr")) {
                try {
                    java.lang.reflect.Field f = SameDiff.class.getDeclaredField("sessions");
                    f.setAccessible(true);
                    for (SameDiff s : new SameDiff[] {sd, grad}) {
                        Map<?, ?> sessions = (Map<?, ?>) f.get(s);
                        for (Object sess : sessions.values()) {
                            Object m = ((org.nd4j.autodiff.samediff.internal.InferenceSession) sess).getMmgr();
                            if (m instanceof org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr c)
                                System.out.printf("mmgr %s: cache %d MiB of max %d MiB, enabled %s, %d cached arrays%n", s == sd ? "main" : "grad", c.getCurrentCacheSize() >> 20, c.getMaxCacheBytes() >> 20, c.isEnableCache(), c.getLruCache().size());
                            else System.out.println("mmgr " + m);
                        }
                    }
                } catch (ReflectiveOperationException e) {
                    System.out.println("mmgr: " + e);
                }
            }
            prof.print(wall, steps, (pti ? "pti" : "wplus") + " " + resolution + "px");
            if (faults >= 0) System.out.printf(Locale.ROOT, "%nminor page faults per step: %d (%.0f MiB of fresh pages at 4 KiB)%n", faults, faults * 4096.0 / (1 << 20));
        }
    }

    /** Counts what a session allocates and releases (sizes in MiB per step). */
    static final class CountingMmgr extends org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr {
        private final org.nd4j.autodiff.samediff.internal.SessionMemMgr inner;
        private long allocN, allocB, detN, detB, relN, relB;

        CountingMmgr(org.nd4j.autodiff.samediff.internal.SessionMemMgr inner) {
            this.inner = inner;
        }

        void reset() {
            allocN = allocB = detN = detB = relN = relB = 0;
        }

        @Override
        public INDArray allocate(boolean detached, org.nd4j.linalg.api.buffer.DataType dataType, long... shape) {
            INDArray r = inner.allocate(detached, dataType, shape);
            count(detached, r);
            return r;
        }

        @Override
        public INDArray allocate(boolean detached, org.nd4j.linalg.api.shape.LongShapeDescriptor d) {
            INDArray r = inner.allocate(detached, d);
            count(detached, r);
            return r;
        }

        private void count(boolean detached, INDArray r) {
            long b = r.length() * r.dataType().width();
            if (detached) { detN++; detB += b; } else { allocN++; allocB += b; }
        }

        @Override
        public void release(INDArray array) {
            relN++;
            relB += array.length() * array.dataType().width();
            inner.release(array);
        }

        @Override
        public void close() {
            inner.close();
        }

        String report(int steps) {
            return String.format(Locale.ROOT, "mmgr per step: allocate %d arrays %.0f MiB, detached %d arrays %.0f MiB, release %d arrays %.0f MiB",
                    allocN / steps, allocB / 1048576.0 / steps, detN / steps, detB / 1048576.0 / steps, relN / steps, relB / 1048576.0 / steps);
        }
    }

    /** Minor page faults of this process so far ({@code /proc/self/stat} field 10), -1 if unavailable. */
    static long minorFaults() {
        try {
            String st = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[7]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    private void print(double wallMs, int steps, String title) {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byType.entrySet());
        rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        double inOps = 0;
        System.out.printf(Locale.ROOT, "# %s: %.1f ms/step (mean of %d)%n%n| op | count/step | ms/step | %% of step |%n|---|---|---|---|%n", title, wallMs, steps);
        for (Map.Entry<String, long[]> e : rows) {
            double ms = e.getValue()[1] / 1e6 / steps;
            inOps += ms;
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.1f |%s%n", e.getKey(), e.getValue()[0] / (double) steps, ms, 100 * ms / wallMs,
                    faults ? String.format(Locale.ROOT, " %.0f MiB faulted |", e.getValue()[2] * 4096.0 / (1 << 20) / steps) : "");
        }
        double gaps = between / 1e6 / steps;
        System.out.printf(Locale.ROOT, "| (between ops: session bookkeeping, output allocation) |  | %.1f | %.1f |%s%n", gaps, 100 * gaps / wallMs,
                faults ? String.format(Locale.ROOT, " %.0f MiB faulted |", betweenFaults * 4096.0 / (1 << 20) / steps) : "");
        System.out.printf(Locale.ROOT, "| (outside the graph: optimiser step, result maps) |  | %.1f | %.1f |%n", wallMs - inOps - gaps, 100 * (wallMs - inOps - gaps) / wallMs);
        if (byShape.isEmpty()) return;
        List<Map.Entry<String, long[]>> d = new ArrayList<>(byShape.entrySet());
        d.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        System.out.printf(Locale.ROOT, "%n| op and input shapes | count/step | ms/step |%n|---|---|---|%n");
        for (Map.Entry<String, long[]> e : d)
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f |%n", e.getKey(), e.getValue()[0] / (double) steps, e.getValue()[1] / 1e6 / steps);
    }
}
