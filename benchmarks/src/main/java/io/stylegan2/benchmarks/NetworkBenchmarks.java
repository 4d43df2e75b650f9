package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOverride;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
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
 * Whole networks with gradients, random weights, batch 1 and 4, at the 32&sup2; fixture and the
 * 256&sup2; paper256 tables ({@link BenchmarkConfigs}); the synthesis forward alone is
 * {@link GeneratorForwardBenchmark}.
 * <ul>
 *   <li>{@code generatorForwardBackward}: synthesis (const noise) and the gradient of
 *       {@code sum(image)} w.r.t. the W+ latent {@code ws [N, num_ws, w_dim]} (weights frozen);</li>
 *   <li>{@code discriminatorForward}: logits {@code [N, 1]} of random images;</li>
 *   <li>{@code discriminatorForwardBackward}: the gradients of {@code sum(logits)} w.r.t. the
 *       input images and every weight (a training step's backward, R1-style input gradient
 *       included).</li>
 * </ul>
 * Work: {@link Flops#generator} / {@link Flops#discriminator} forward MACs, times
 * {@link Flops#BACKWARD_DATA} for gradients w.r.t. the input only (the generator: SameDiff still
 * runs the weight-gradient half of each conv backward, which the count leaves out as unneeded)
 * and {@link Flops#BACKWARD_FULL} with weight gradients.
 *
 * <p><b>Thread safety:</b> Not thread-safe: each {@code @State(Scope.Benchmark)} object holds one
 * graph and its arrays, shared by every benchmark thread, so run with JMH's default single thread
 * ({@code -t 1}). The static {@code work} is stateless.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 3, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 4, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Dorg.bytedeco.javacpp.maxbytes=16G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=20G"})
public class NetworkBenchmarks {

    /** Synthesis graph with a trainable W+ latent. */
    @State(Scope.Benchmark)
    public static class Gen {
        @Param({"32", "256"})
        public int resolution;
        @Param({"1", "4"})
        public int batch;
        Generator g;
        GraphRunner run;

        @Setup(Level.Trial)
        public void setUp() {
            GeneratorConfig cfg = BenchmarkConfigs.forResolution(resolution);
            g = Generator.random(cfg, 0);
            Nd4j.getRandom().setSeed(0);
            SameDiff sd = SameDiff.create();
            SDVariable ws = sd.var("ws", Nd4j.randn(DataType.FLOAT, batch, cfg.numWs(), cfg.wDim()));
            SDVariable img = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), ""), ws, NoiseMode.CONST,
                    SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
            run = new GraphRunner(img, Map.of(), "ws");
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (g != null) g.close();
        }
    }

    /** Discriminator graph with trainable weights and a trainable input. */
    @State(Scope.Benchmark)
    public static class Disc {
        @Param({"32", "256"})
        public int resolution;
        @Param({"1", "4"})
        public int batch;
        GraphRunner run;

        @Setup(Level.Trial)
        public void setUp() {
            DiscriminatorConfig cfg = BenchmarkConfigs.discriminator(resolution);
            Discriminator d = Discriminator.create(cfg, Discriminator.randomParams(cfg, 0));
            Nd4j.getRandom().setSeed(0);
            SameDiff sd = SameDiff.create();
            SDVariable img = sd.var("img", Nd4j.randn(DataType.FLOAT, batch, cfg.imgChannels(), resolution, resolution));
            SDVariable logits = d.build(new ParamBinding(sd, d.params(), "", n -> true, WeightOverride.NONE), img);
            run = new GraphRunner(logits, Map.of(), GraphRunner.variables(sd));
        }
    }

    @Benchmark
    public Map<String, INDArray> generatorForwardBackward(Gen s) {
        return s.run.backward();
    }

    @Benchmark
    public INDArray discriminatorForward(Disc s) {
        return s.run.forward();
    }

    @Benchmark
    public Map<String, INDArray> discriminatorForwardBackward(Disc s) {
        return s.run.backward();
    }

    /** See the class comment. */
    static Work work(String method, Map<String, String> params) {
        int res = Integer.parseInt(params.get("resolution")), n = Integer.parseInt(params.get("batch"));
        String shape = res + "px b" + n;
        return switch (method) {
            case "generatorForwardBackward" -> Work.compute(shape + " (grad W+)",
                    Flops.BACKWARD_DATA * Flops.generator(BenchmarkConfigs.forResolution(res), n).synthesis());
            case "discriminatorForward" -> Work.compute(shape, n * Flops.discriminator(BenchmarkConfigs.discriminator(res)));
            case "discriminatorForwardBackward" -> Work.compute(shape + " (grad x, weights)",
                    Flops.BACKWARD_FULL * n * Flops.discriminator(BenchmarkConfigs.discriminator(res)));
            default -> throw new IllegalArgumentException("no work count for NetworkBenchmarks." + method);
        };
    }
}
