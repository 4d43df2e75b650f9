package io.stylegan2.core;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps ND4J's off-heap memory in check in long loops.
 *
 * <p>ND4J releases the native buffer of an {@code INDArray} only when the Java object is garbage
 * collected; a loop that allocates large arrays but little heap can grow its resident size without
 * bound. Loops call {@link #step()} once per iteration; every {@link #gcEvery()} calls this runs
 * {@link System#gc()}. The period is the engine setting {@code gcEvery}
 * ({@link EngineOptions#gcEvery()}: default {@value #DEFAULT_GC_EVERY}, {@code 0} disables;
 * {@code -Dstylegan2.gcEvery=N} or {@code STYLEGAN2_ENGINE=gcEvery=N}), read at every step, so
 * {@link Engine#with} changes it for the calling thread and {@link #setGcEvery(int)} process-wide.
 *
 * <p><b>Thread safety:</b> Every method is safe to call from any thread: the only static state is an
 * {@code AtomicLong} step counter (shared by all threads) and the period comes from {@link Engine}.
 */
public final class MemoryPolicy {
    private static final Logger log = LoggerFactory.getLogger(MemoryPolicy.class);

    /** Default period of {@link #step()}, in steps. */
    public static final int DEFAULT_GC_EVERY = EngineOptions.DEFAULT_GC_EVERY;

    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final AtomicLong steps = new AtomicLong();

    private MemoryPolicy() {}

    /** Current period in steps on this thread ({@link Engine#current()}); {@code 0} means {@link #step()} never collects. */
    public static int gcEvery() {
        return Engine.current().gcEvery();
    }

    /** Sets the process-wide period in steps ({@code 0} disables), through {@link Engine#update}. */
    public static void setGcEvery(int every) {
        if (every < 0) throw new IllegalArgumentException("gcEvery must be >= 0, got " + every);
        Engine.update(o -> o.withGcEvery(every));
    }

    /**
     * Counts one loop iteration; runs {@link System#gc()} every {@link #gcEvery()} calls.
     *
     * @return {@code true} if this call requested a collection
     */
    public static boolean step() {
        long n = steps.incrementAndGet();
        int every = gcEvery();
        if (every > 0 && n % every == 0) {
            System.gc();
            if (log.isDebugEnabled()) log.debug("gc after {} steps, rss {} MiB", n, rssBytes() >> 20);
            return true;
        }
        return false;
    }

    /**
     * Resident set size of this process from {@code /proc/self/status} ({@code VmRSS}), in bytes;
     * {@code -1} where that file is unavailable (non-Linux).
     */
    public static long rssBytes() {
        return statusBytes("VmRSS:");
    }

    /**
     * Peak resident set size of this process so far ({@code VmHWM}, the high-water mark), in bytes;
     * {@code -1} where unavailable.
     */
    public static long peakRssBytes() {
        return statusBytes("VmHWM:");
    }

    private static long statusBytes(String field) {
        try {
            for (String line : Files.readAllLines(PROC_STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) return parseKb(line.substring(field.length())) * 1024L;
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Parses {@code "   123456 kB"} to {@code 123456}. */
    static long parseKb(String field) {
        String s = field.trim();
        int sp = s.indexOf(' ');
        return Long.parseLong(sp < 0 ? s : s.substring(0, sp));
    }

    /** {@link #rssBytes()} in MiB for logs, {@code -1} if unavailable. */
    public static long rssMiB() {
        long b = rssBytes();
        return b < 0 ? -1 : b >> 20;
    }
}
