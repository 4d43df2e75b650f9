package io.stylegan2.benchmarks;

import org.nd4j.linalg.api.ndarray.INDArray;
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

import java.util.concurrent.TimeUnit;

/**
 * One optimisation step of GAN inversion, batch 1: synthesis forward (const noise), loss
 * LPIPS-Alex (random weights) + MSE to a fixed random target, backward, Adam update (lr 0.01).
 * <ul>
 *   <li>{@code wplusStep}: trainable W+ variable {@code ws [1, num_ws, w_dim]} (projector).</li>
 *   <li>{@code ptiStep}: trainable offsets on every synthesis weight
 *       ({@code PivotalTuning.TUNED}), W+ fed as the pivot (pivotal tuning).</li>
 * </ul>
 * The graph is {@link InversionGraph}, configs from {@link BenchmarkConfigs#forInversion(int)}.
 * Graphs are built in the trial setup (one per benchmark state), so the score is the steady-state
 * step time. {@link #work} counts only the generator: {@link Flops#BACKWARD_FULL} x the synthesis
 * forward (LPIPS and Adam not counted), so the GFLOP/s is a lower bound of the rate achieved.
 *
 * <p><b>Thread safety:</b> Not thread-safe: each {@code @State(Scope.Benchmark)} object holds one
 * graph and its arrays, shared by every benchmark thread, so run with JMH's default single thread
 * ({@code -t 1}). The static {@code work} is stateless.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 5, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Dorg.bytedeco.javacpp.maxbytes=16G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=24G"})
public class InversionStepBenchmark {

    /** The step graph of one benchmark; subclasses pick what is trainable. */
    @State(Scope.Benchmark)
    public abstract static class StepState {
        @Param({"32", "64", "256"})
        public int resolution;

        InversionGraph graph;

        @TearDown(Level.Trial)
        public void tearDown() {
            if (graph != null) graph.close();
        }
    }

    /** Trainable: the W+ latent {@code ws}. */
    @State(Scope.Benchmark)
    public static class WPlus extends StepState {
        @Setup(Level.Trial)
        public void setUp() {
            graph = InversionGraph.wplus(resolution);
        }
    }

    /** Trainable: offsets on every synthesis weight (PTI). */
    @State(Scope.Benchmark)
    public static class Pti extends StepState {
        @Setup(Level.Trial)
        public void setUp() {
            graph = InversionGraph.pti(resolution);
        }
    }

    @Benchmark
    public INDArray wplusStep(WPlus s) {
        return s.graph.step();
    }

    @Benchmark
    public INDArray ptiStep(Pti s) {
        return s.graph.step();
    }

    /** Work of one step (generator only, 3 x synthesis forward); see the class comment. */
    static Work work(String method, java.util.Map<String, String> params) {
        int res = Integer.parseInt(params.get("resolution"));
        long macs = Flops.BACKWARD_FULL * Flops.generator(BenchmarkConfigs.forInversion(res), 1).synthesis();
        return Work.compute(res + "px b1 (G only)", macs);
    }
}
