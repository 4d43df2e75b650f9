package io.stylegan2.benchmarks;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.training.Trainer;
import io.stylegan2.training.TrainingOptions;
import io.stylegan2.training.data.ImageDataset;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One StyleGAN2 training iteration of {@link Trainer} (NVlabs' recipe: Gmain with style mixing,
 * lazy path length every 4 iterations on half the batch (weight 2, the 256 px configs only, as
 * NVlabs' default below 64 px is off), Dmain, lazy R1 every 16 iterations, w_avg and G_ema
 * updates) on random images in memory.
 * Single-shot: one operation is one whole lazy-regularisation cycle, run as one
 * {@code Trainer.train(cycle)} call so that its working memory is recycled from the second
 * iteration on, as in a real run (a call per iteration would pay the first-step allocations every
 * time); ms/op / cycle is the amortised iteration time. One warm-up operation, three measured
 * (override with {@code -wi}/{@code -i}). The cycle is 16 iterations at 32 px (R1 every 16); at
 * 256 px, where one iteration takes a minute on 2 cores, R1 runs every 4 iterations like the path
 * length and the cycle is 4 iterations (the PyTorch script is run with the same {@code --r1-interval 4}).
 * <ul>
 *   <li>{@code fmnist32}: the Fashion-MNIST model ({@code ../shared/models/fmnist32}'s recipe):
 *       channels {4: 64, 8: 64, 16: 64, 32: 32}, z = w = 64, 4 mapping layers, batch 16;</li>
 *   <li>{@code paper256}: NVlabs' {@code paper256} networks, {@code channel_base} 16384
 *       ({@code min(16384 / res, 512)}), z = w = 512, 8 mapping layers, batch 4;</li>
 *   <li>{@code stylegan2-256}: NVlabs' {@code stylegan2} (config-f) networks at 256 px,
 *       {@code channel_base} 32768, batch 4.</li>
 * </ul>
 * Work counted: G forward twice (Gmain, Dmain's fakes) plus its full backward
 * ({@link Flops#BACKWARD_FULL} - 1), D forward three times (fakes twice, reals) plus two full
 * backwards and Gmain's input-only backward; R1's and the path length's double backwards and the
 * optimiser are not counted, so the GFLOP/s is a lower bound. Compare with
 * {@code benchmarks/pytorch/train_step.py} (NVIDIA's code, same configs).
 *
 * <p><b>Thread safety:</b> Not thread-safe: the {@code @State(Scope.Benchmark)} run holds one
 * trainer and its graphs, shared by every benchmark thread, so run with JMH's default single thread
 * ({@code -t 1}). The static methods are stateless.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
// the 256 px configs keep ~17 GB of native arrays: a small heap leaves that room on a 24 GiB machine
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dorg.bytedeco.javacpp.maxbytes=18G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=20G"})
public class TrainingStepBenchmark {

    @State(Scope.Benchmark)
    public static class Run {
        @Param({"fmnist32", "paper256", "stylegan2-256"})
        public String config;

        Trainer trainer;
        Path dir;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            Config s = config(config);
            int per = s.g().imgChannels() * s.g().imgResolution() * s.g().imgResolution();
            byte[] pixels = new byte[64 * per];
            new SplittableRandom(0).nextBytes(pixels);
            ImageDataset data = ImageDataset.ofPixels(pixels, 64, s.g().imgChannels(), s.g().imgResolution(), "random bytes");
            // NVlabs' recipe (path length only at 256 px, as NVlabs' default); no ticks or snapshots during the measurement
            TrainingOptions o = new TrainingOptions(s.batch(), 0.002, 0.002, 0, 0.99, 1e-8, s.gamma(), s.cycle(), s.plWeight(), 4, 0.01, 2, 0.9, 10, 0, true,
                    NoiseMode.RANDOM, 0.995, 1e6, 1e6, 0, 0, 0);
            dir = Files.createTempDirectory("stylegan2-train-bench");
            trainer = Trainer.create(s.g(), s.d(), o, data, dir);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            if (trainer != null) trainer.close();
            if (dir != null) try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public int cycle(Run r) throws IOException {
        r.trainer.train(config(r.config).cycle(), Progress.NONE, CancellationToken.NONE);
        return r.trainer.iteration();
    }

    /** @param cycle iterations per operation = the R1 interval (a multiple of the path-length interval 4) */
    record Config(GeneratorConfig g, DiscriminatorConfig d, int batch, double gamma, double plWeight, int cycle) {}

    static Config config(String config) {
        return switch (config) {
            case "fmnist32" -> {
                Map<Integer, Integer> t = Map.of(4, 64, 8, 64, 16, 64, 32, 32);
                yield new Config(new GeneratorConfig(64, 64, 4, 0.01, 32, 3, t, null, null, "skip"),
                        new DiscriminatorConfig(32, 3, t, 4, 1, null, null, "resnet"), 16, 0.1, 0, 16);
            }
            case "paper256" -> new Config(GeneratorConfig.nvlabs(512, 512, 8, 256, 3, 16384, 512), DiscriminatorConfig.nvlabs(256, 3, 16384, 512), 4, 1, 2, 4);
            case "stylegan2-256" -> new Config(GeneratorConfig.nvlabs(512, 512, 8, 256, 3, 32768, 512), DiscriminatorConfig.nvlabs(256, 3, 32768, 512), 4, 1, 2, 4);
            default -> throw new IllegalArgumentException("no training benchmark config '" + config + "' (fmnist32, paper256, stylegan2-256)");
        };
    }

    static Work work(String method, Map<String, String> params) {
        Config s = config(params.get("config"));
        long g = Flops.generator(s.g(), s.batch()).total(), d = Flops.discriminator(s.d()) * s.batch();
        long macs = g * (2 + Flops.BACKWARD_FULL - 1) + d * (3 + 2 * (Flops.BACKWARD_FULL - 1) + (Flops.BACKWARD_DATA - 1));
        return Work.compute(params.get("config") + " b" + s.batch() + " x" + s.cycle() + " it", (long) s.cycle() * macs);
    }
}
