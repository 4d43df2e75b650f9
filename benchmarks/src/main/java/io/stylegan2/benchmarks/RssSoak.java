package io.stylegan2.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stylegan2.core.MemoryPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resident memory over a long W+ inversion loop ({@link InversionGraph#wplus}: synthesis +
 * LPIPS-Alex + MSE, backward, Adam; batch 1): runs {@code --steps} steps (default 1000), samples
 * {@code VmRSS} and the peak {@code VmHWM} ({@link MemoryPolicy}) every {@code --every} steps
 * (default 50), prints a table and writes JSON. VmRSS is read twice per sample: as the loop left it
 * (it swings by a few hundred MiB with the phase of the periodic GC) and after an explicit
 * {@link System#gc()} plus {@value #SETTLE_MS} ms (what the process retains). The verdict compares
 * the retained VmRSS of the last sample with that of the first sample at or after
 * {@code --warmup} steps (default 100): the target is a ratio within 1.10 (no growth beyond 10%
 * once warm); the VmHWM ratio is printed too.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.stylegan2.benchmarks.RssSoak --steps 1000
 * --resolution 32 --out rss.json}; {@code --resolution} is 32 (fixture, default), 64 or 256.
 * ND4J frees native buffers on GC, which {@link MemoryPolicy#step()} requests every
 * {@code -Dstylegan2.gcEvery} steps (default 50).
 *
 * <p><b>Thread safety:</b> Stateless (a command-line tool; each run builds its own graph on the
 * calling thread). {@link Sample} is immutable.
 */
public final class RssSoak {
    /** Allowed growth of VmRSS after warm-up: last / first-after-warmup. */
    public static final double TARGET_RATIO = 1.10;

    private RssSoak() {}

    /**
     * One sample: step count; VmRSS as the loop left it, VmRSS after an explicit collection (what
     * the process retains) and VmHWM; the Java heap committed and used after that collection (to tell
     * heap growth from native growth), all in bytes; mean ms/step since the previous sample (null at 0).
     */
    public record Sample(int step, long rssBytes, long rssAfterGcBytes, long peakRssBytes, long heapCommittedBytes, long heapUsedBytes, Double msPerStep) {}

    /** Pause after {@link System#gc()} so ND4J's deallocator threads can free the native buffers. */
    static final long SETTLE_MS = 200;

    private static Sample sample(int step, Double msPerStep) {
        long rss = MemoryPolicy.rssBytes();
        System.gc();
        try {
            Thread.sleep(SETTLE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime rt = Runtime.getRuntime();
        return new Sample(step, rss, MemoryPolicy.rssBytes(), MemoryPolicy.peakRssBytes(), rt.totalMemory(), rt.totalMemory() - rt.freeMemory(), msPerStep);
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        int steps = Integer.parseInt(a.getOrDefault("steps", "1000"));
        int every = Integer.parseInt(a.getOrDefault("every", "50"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "100"));
        int resolution = Integer.parseInt(a.getOrDefault("resolution", "32"));
        Path out = Path.of(a.getOrDefault("out", "rss.json"));
        if (steps < 1 || every < 1 || warmup < 0) throw new IllegalArgumentException("steps and every must be >= 1, warmup >= 0");

        List<Sample> samples = new ArrayList<>();
        try (InversionGraph g = InversionGraph.wplus(resolution)) {
            samples.add(sample(0, null));
            long t0 = System.nanoTime();
            for (int i = 1; i <= steps; i++) {
                g.step();
                if (i % every == 0 || i == steps) {
                    long t1 = System.nanoTime();
                    int since = i - samples.get(samples.size() - 1).step();
                    samples.add(sample(i, (t1 - t0) / 1e6 / since));
                    t0 = System.nanoTime();
                }
            }
        }
        Sample first = samples.stream().filter(s -> s.step() >= Math.min(warmup, steps)).findFirst().orElseThrow();
        Sample last = samples.get(samples.size() - 1);
        double ratio = (double) last.rssAfterGcBytes() / first.rssAfterGcBytes();
        double peakRatio = (double) last.peakRssBytes() / first.peakRssBytes();

        System.out.printf(Locale.ROOT, "W+ inversion loop, %d px, %d steps, gcEvery %d%n%n", resolution, steps, MemoryPolicy.gcEvery());
        System.out.println("| step | VmRSS MiB | VmRSS after gc MiB | VmHWM (peak) MiB | heap committed / used MiB | ms/step |\n|---|---|---|---|---|---|");
        for (Sample s : samples)
            System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f / %.1f | %s |%n", s.step(), s.rssBytes() / 1048576.0, s.rssAfterGcBytes() / 1048576.0,
                    s.peakRssBytes() / 1048576.0, s.heapCommittedBytes() / 1048576.0, s.heapUsedBytes() / 1048576.0,
                    s.msPerStep() == null ? "" : String.format(Locale.ROOT, "%.1f", s.msPerStep()));
        System.out.printf(Locale.ROOT, "%nVmRSS after gc, last / first after warm-up (step %d): %.3f (target <= %.2f: %s)%n",
                first.step(), ratio, TARGET_RATIO, ratio <= TARGET_RATIO ? "ok" : "EXCEEDED");
        System.out.printf(Locale.ROOT, "VmHWM (peak), last / first after warm-up: %.3f; peak %.1f MiB%n", peakRatio, last.peakRssBytes() / 1048576.0);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("resolution", resolution);
        json.put("steps", steps);
        json.put("every", every);
        json.put("warmupSteps", warmup);
        json.put("gcEvery", MemoryPolicy.gcEvery());
        json.put("samples", samples);
        json.put("firstAfterWarmupStep", first.step());
        json.put("ratioLastToFirstAfterWarmup", ratio);
        json.put("peakRatioLastToFirstAfterWarmup", peakRatio);
        json.put("targetRatio", TARGET_RATIO);
        json.put("withinTarget", ratio <= TARGET_RATIO);
        json.put("peakRssBytes", last.peakRssBytes());
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
        System.out.println("wrote " + out);
    }

    /** {@code --key value} pairs. */
    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
                throw new IllegalArgumentException("usage: RssSoak [--steps 1000] [--every 50] [--warmup 100] [--resolution 32] [--out rss.json]");
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
