package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.stylegan.GeneratorConfig;
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

import java.util.concurrent.TimeUnit;

/**
 * Time of one synthesis forward {@code [N, numWs, wDim] -> [N, C, H, W]} (const noise) for the
 * 32&sup2; fixture config and the 256&sup2; paper256 table; see {@link BenchmarkConfigs}. Divide
 * {@link Flops#generator(GeneratorConfig, long)}{@code .synthesis()} by the score for MAC/s.
 *
 * <p>Weights are random (NVlabs init, seed 0); timing does not depend on their values. The graph is
 * built in the trial setup, so the score is the steady-state forward time. {@link JmhReport} turns
 * the JSON results into ms/image and GFLOP/s.
 *
 * <p><b>Thread safety:</b> The {@code Scope.Benchmark} state is one {@code Generator}, whose calls
 * are serialised, so extra JMH threads ({@code -t}) only queue; meant for JMH's default single
 * thread. The static {@code work} is stateless.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 10, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Dorg.bytedeco.javacpp.maxbytes=16G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=24G"})
public class GeneratorForwardBenchmark {

    @Param({"16", "32", "256"})
    public int resolution;

    @Param({"1", "4"})
    public int batch;

    private Generator target;
    private INDArray ws;

    @Setup(Level.Trial)
    public void setUp() {
        GeneratorConfig cfg = BenchmarkConfigs.forResolution(resolution);
        target = Generator.random(cfg, 0);
        target.synthesis(Nd4j.zeros(DataType.FLOAT, batch, cfg.numWs(), cfg.wDim()), NoiseMode.CONST, 0); // build the graph
        Nd4j.getRandom().setSeed(0);
        ws = Nd4j.randn(DataType.FLOAT, batch, cfg.numWs(), cfg.wDim());
    }

    @Benchmark
    public INDArray synthesis() {
        INDArray img = target.synthesis(ws, NoiseMode.CONST, 0);
        MemoryPolicy.step();
        return img;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (target != null) target.close();
    }

    /** Synthesis forward MACs ({@link Flops#generator(GeneratorConfig, long)}) of a row. */
    static Work work(String method, java.util.Map<String, String> params) {
        int res = Integer.parseInt(params.get("resolution")), batch = Integer.parseInt(params.get("batch"));
        return Work.compute(res + "px b" + batch, Flops.generator(BenchmarkConfigs.forResolution(res), batch).synthesis());
    }
}
