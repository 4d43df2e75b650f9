package io.stylegan2.benchmarks;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOffsets;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One optimisation step of GAN inversion, batch 1: synthesis forward (const noise), loss
 * LPIPS-Alex (random weights) + MSE to a fixed random target, backward, Adam update (lr 0.01).
 * <ul>
 *   <li>{@code wplusStep}: trainable W+ variable {@code ws [1, num_ws, w_dim]} (projector).</li>
 *   <li>{@code ptiStep}: trainable offsets on every synthesis weight
 *       ({@link WeightOffsets#synthesis()}), W+ fixed (pivotal tuning).</li>
 * </ul>
 * Configs from {@link BenchmarkConfigs#forInversion(int)}. Graphs are built in the trial setup (one
 * per benchmark state), so the score is the steady-state step time. {@link JmhReport} prints
 * ms/step and an approximate GFLOP/s counting only the generator (3 x synthesis forward FLOPs).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 5, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Dorg.bytedeco.javacpp.maxbytes=16G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=24G"})
public class InversionStepBenchmark {

    /** Graph state shared by both benchmarks; subclasses pick what is trainable. */
    @State(Scope.Benchmark)
    public abstract static class StepState {
        @Param({"32", "64", "256"})
        public int resolution;

        Generator g;
        SameDiff sd;
        Adam adam;
        String[] trainable;

        abstract WeightOverride override();

        abstract List<String> trainableNames(WeightOverride override);

        void build() {
            GeneratorConfig cfg = BenchmarkConfigs.forInversion(resolution);
            g = Generator.random(cfg, 0);
            Nd4j.getRandom().setSeed(0);
            INDArray z = Nd4j.randn(DataType.FLOAT, 1, cfg.zDim());
            Map<String, INDArray> lw = new LinkedHashMap<>();
            LpipsNet.ALEX.expectedShapes().forEach((k, s) -> lw.put(k, Nd4j.randn(DataType.FLOAT, s).muli(0.05)));
            Lpips lpips = Lpips.create(LpipsNet.ALEX, lw);

            sd = SameDiff.create();
            WeightOverride override = override();
            ParamBinding p = new ParamBinding(sd, g.params(), "", n -> false, override);
            SDVariable ws = sd.var("ws", g.mapping(z, 1.0, -1));
            SDVariable img = g.synthesisNetwork().build(p, ws, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
            SDVariable target = sd.constant("target", Nd4j.rand(DataType.FLOAT, 1, 3, resolution, resolution).muli(2).subi(1));
            SDVariable loss = lpips.distance(img, target, resolution, resolution, false).sum()
                    .add(Pixelwise.mse(img, target)).rename("loss");
            sd.setLossVariables(loss);
            List<String> names = trainableNames(override);
            trainable = names.toArray(new String[0]);
            adam = new Adam(sd, names);
            step(); // first step builds the gradient function
        }

        INDArray step() {
            Map<String, INDArray> grads = sd.calculateGradients(Map.of(), trainable);
            adam.step(grads, 0.01);
            MemoryPolicy.step();
            return grads.get(trainable[0]);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (g != null) g.close();
        }
    }

    /** Trainable: the W+ latent {@code ws}. */
    @State(Scope.Benchmark)
    public static class WPlus extends StepState {
        @Override
        WeightOverride override() {
            return WeightOverride.NONE;
        }

        @Override
        List<String> trainableNames(WeightOverride override) {
            return List.of("ws");
        }

        @Setup(Level.Trial)
        public void setUp() {
            build();
        }
    }

    /** Trainable: offsets on every synthesis weight (PTI). */
    @State(Scope.Benchmark)
    public static class Pti extends StepState {
        @Override
        WeightOverride override() {
            return WeightOffsets.synthesis();
        }

        @Override
        List<String> trainableNames(WeightOverride override) {
            List<String> names = new ArrayList<>();
            for (SDVariable d : ((WeightOffsets) override).deltas().values()) names.add(d.name());
            return names;
        }

        @Setup(Level.Trial)
        public void setUp() {
            build();
        }
    }

    @Benchmark
    public INDArray wplusStep(WPlus s) {
        return s.step();
    }

    @Benchmark
    public INDArray ptiStep(Pti s) {
        return s.step();
    }
}
