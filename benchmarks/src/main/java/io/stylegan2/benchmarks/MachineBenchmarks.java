package io.stylegan2.benchmarks;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine's limits as ND4J reaches them, the reference for {@link JmhReport}'s "% of peak":
 * <ul>
 *   <li>{@code sgemm}: {@code C = A B} for square float32 {@code n x n} matrices
 *       ({@code Nd4j.gemm} into a preallocated C, i.e. the BLAS/oneDNN sgemm), {@code 2 n^3}
 *       FLOPs;</li>
 *   <li>{@code copy}: {@code b.assign(a)}, {@code mib} MiB float32 each, 2 x size bytes moved
 *       (read a, write b);</li>
 *   <li>{@code add}: {@code c = a + b} into a preallocated c, 3 x size bytes moved;</li>
 *   <li>{@code freshArray}: a new zeroed {@code mib} MiB float32 array (the previous one closed
 *       first), i.e. the price of memory the allocator has to take from the kernel: page faults
 *       plus zeroing, the size in bytes counted once. ND4J frees most op outputs only when the
 *       garbage collector finds them, so an op output usually lands on such fresh pages; on the
 *       machines measured this cost 0.6 to 3 ms per MiB with 4 KiB pages (see benchmarks/README.md,
 *       "Page faults", for transparent huge pages).</li>
 * </ul>
 * Arrays are far larger than the caches, so copy/add measure DRAM bandwidth.
 *
 * <p><b>Thread safety:</b> Not thread-safe: each {@code @State(Scope.Benchmark)} object holds
 * arrays written in place, shared by every benchmark thread, so run with JMH's default single
 * thread ({@code -t 1}). The static {@code work} is stateless.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 3, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=8G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G"})
public class MachineBenchmarks {

    /** Square float32 matrices {@code n x n}. */
    @State(Scope.Benchmark)
    public static class Gemm {
        @Param({"1024", "2048"})
        public int n;
        INDArray a, b, c;

        @Setup(Level.Trial)
        public void setUp() {
            Nd4j.getRandom().setSeed(0);
            a = Nd4j.rand(DataType.FLOAT, n, n);
            b = Nd4j.rand(DataType.FLOAT, n, n);
            c = Nd4j.create(DataType.FLOAT, n, n);
        }
    }

    /** Three float32 vectors of {@code mib} MiB each. */
    @State(Scope.Benchmark)
    public static class Arrays {
        @Param({"256"})
        public int mib;
        INDArray a, b, c;

        @Setup(Level.Trial)
        public void setUp() {
            long n = (long) mib << 18; // MiB / 4 bytes
            a = Nd4j.rand(DataType.FLOAT, n);
            b = Nd4j.rand(DataType.FLOAT, n);
            c = Nd4j.create(DataType.FLOAT, n);
        }
    }

    /** The last array of {@link #freshArray}, closed before the next is made. */
    @State(Scope.Benchmark)
    public static class Fresh {
        @Param({"64"})
        public int mib;
        INDArray last;

        @TearDown(Level.Trial)
        public void tearDown() {
            if (last != null) last.close();
        }
    }

    @Benchmark
    public INDArray sgemm(Gemm s) {
        return Nd4j.gemm(s.a, s.b, s.c, false, false, 1.0, 0.0);
    }

    @Benchmark
    public INDArray copy(Arrays s) {
        return s.b.assign(s.a);
    }

    @Benchmark
    public INDArray add(Arrays s) {
        return s.a.add(s.b, s.c);
    }

    @Benchmark
    public INDArray freshArray(Fresh s) {
        if (s.last != null) s.last.close();
        s.last = Nd4j.create(DataType.FLOAT, (long) s.mib << 18);
        return s.last;
    }

    /** {@code 2 n^3} FLOPs for sgemm; 2 or 3 x the array size in bytes for copy and add, 1 x for a fresh array. */
    static Work work(String method, Map<String, String> params) {
        if (method.equals("sgemm")) {
            long n = Long.parseLong(params.get("n"));
            return new Work(n + "^3", 2.0 * Flops.gemm(n, n, n), 0, Work.Bound.PEAK_COMPUTE);
        }
        long bytes = Long.parseLong(params.get("mib")) << 20;
        if (method.equals("freshArray")) return new Work(params.get("mib") + " MiB new", 0, bytes, Work.Bound.MEMORY);
        int arrays = method.equals("add") ? 3 : 2;
        return new Work(params.get("mib") + " MiB x " + arrays, 0, (double) arrays * bytes, Work.Bound.PEAK_MEMORY);
    }
}
