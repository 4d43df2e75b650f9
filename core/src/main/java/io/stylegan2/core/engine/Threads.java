package io.stylegan2.core.engine;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;

/**
 * How many threads the numeric work uses: ND4J's OpenMP and BLAS threads and the Java kernels'
 * fork-join parallelism. On a machine shared with other work, using every core makes each step
 * wait for the slowest thread (measured: inversion 5x slower with 2 threads than with 1 on a loaded
 * 2-core machine), so the CLI defaults to {@link #freeCores()}.
 *
 * <p><b>Thread safety:</b> Stateless; {@link #set} changes process-wide settings, so call it once at
 * start-up, before graphs run (the Java kernels' fork-join pool takes its size when first used).
 */
public final class Threads {
    private static final Logger log = LoggerFactory.getLogger(Threads.class);
    /** The system property that sizes the JDK's common fork-join pool (the Java kernels' threads). */
    static final String FORK_JOIN_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private Threads() {}

    /** The cores not busy with other work: the processors minus the 1-minute load average (rounded), at least 1. */
    public static int freeCores() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return freeCores(Runtime.getRuntime().availableProcessors(), load);
    }

    /** {@link #freeCores()} for given counts; a negative load (not available) means all cores. */
    static int freeCores(int cores, double load) {
        if (!(load >= 0)) return Math.max(1, cores);
        return Math.max(1, Math.min(cores, cores - (int) Math.round(load)));
    }

    /**
     * Uses {@code n} threads: ND4J's OpenMP and master threads and BLAS threads, and, if the common
     * fork-join pool has not started yet, its parallelism.
     */
    public static void set(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        if (System.getProperty(FORK_JOIN_PARALLELISM) == null) System.setProperty(FORK_JOIN_PARALLELISM, Integer.toString(Math.max(1, n - 1)));
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        try {
            Nd4j.factory().blas().setMaxThreads(n);
        } catch (RuntimeException e) {
            log.debug("BLAS thread count not set: {}", e.toString());
        }
        log.debug("threads: {}", n);
    }

    /** The thread count ND4J's native ops use now (OpenMP's maximum). */
    public static int current() {
        Nd4j.getEnvironment();                                   // loads the backend first
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }
}
