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
 */
public final class OpProfile extends BaseListener {
    private final Map<String, long[]> byType = new HashMap<>();
    private final Map<String, long[]> byShape = new HashMap<>();
    private String detail;
    private long start;
    private boolean recording;

    private OpProfile() {}

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        start = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext, INDArray[] outputs) {
        if (!recording) return;
        long dt = System.nanoTime() - start;
        String type = op.getOp().opName();
        long[] acc = byType.computeIfAbsent(type, k -> new long[2]);
        acc[0]++;
        acc[1] += dt;
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
        try (InversionGraph g = pti ? InversionGraph.pti(resolution) : InversionGraph.wplus(resolution)) {
            SameDiff sd = g.graph();
            sd.addListeners(prof);
            SameDiff grad = sd.getFunction("grad");
            if (grad != null) grad.addListeners(prof);
            for (int i = 0; i < warmup; i++) g.step();
            prof.recording = true;
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) g.step();
            double wall = (System.nanoTime() - t0) / 1e6 / steps;
            prof.print(wall, steps, (pti ? "pti" : "wplus") + " " + resolution + "px");
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
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f | %.1f |%n", e.getKey(), e.getValue()[0] / (double) steps, ms, 100 * ms / wallMs);
        }
        System.out.printf(Locale.ROOT, "| (outside ops) |  | %.1f | %.1f |%n", wallMs - inOps, 100 * (wallMs - inOps) / wallMs);
        if (byShape.isEmpty()) return;
        List<Map.Entry<String, long[]>> d = new ArrayList<>(byShape.entrySet());
        d.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
        System.out.printf(Locale.ROOT, "%n| op and input shapes | count/step | ms/step |%n|---|---|---|%n");
        for (Map.Entry<String, long[]> e : d)
            System.out.printf(Locale.ROOT, "| %s | %.0f | %.1f |%n", e.getKey(), e.getValue()[0] / (double) steps, e.getValue()[1] / 1e6 / steps);
    }
}
