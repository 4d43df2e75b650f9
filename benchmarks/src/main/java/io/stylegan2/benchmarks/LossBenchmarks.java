package io.stylegan2.benchmarks;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.losses.LaplacianPyramidConfig;
import io.stylegan2.losses.LaplacianPyramidLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import io.stylegan2.metrics.PixelRange;
import io.stylegan2.metrics.Ssim;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Loss and metric kernels: LPIPS-VGG forward and forward+backward (w.r.t. the input) at 256 px,
 * batch 1; the Laplacian-pyramid loss forward+backward at 256 and 1024 px; SSIM at 256 px.
 * Random weights (timing does not depend on their values); graphs are built in setup.
 *
 * <p><b>Thread safety:</b> Not thread-safe: each {@code @State(Scope.Benchmark)} object holds one
 * graph and its arrays, shared by every benchmark thread, so run with JMH's default single thread
 * ({@code -t 1}). The static {@code work} is stateless.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 10, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Dorg.bytedeco.javacpp.maxbytes=16G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=24G"})
public class LossBenchmarks {

    /** LPIPS-VGG at 256x256, batch 1: one graph with the distance and its input gradient. */
    @State(Scope.Benchmark)
    public static class LpipsVgg {
        SameDiff sd;
        Map<String, INDArray> feed;

        @Setup(Level.Trial)
        public void setUp() {
            Nd4j.getRandom().setSeed(0);
            Map<String, INDArray> w = new LinkedHashMap<>();
            LpipsNet.VGG.expectedShapes().forEach((k, s) -> w.put(k, Nd4j.randn(DataType.FLOAT, s).muli(0.05)));
            Lpips lpips = Lpips.create(LpipsNet.VGG, w);
            sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256).muli(2).subi(1));
            SDVariable y = sd.placeHolder("y", DataType.FLOAT, 1, 3, 256, 256);
            SDVariable d = lpips.distance(x, y, 256, 256, false).sum().rename("d");
            sd.setLossVariables(d);
            feed = Map.of("y", Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256).muli(2).subi(1));
            sd.output(feed, "d");
            sd.calculateGradients(feed, "x");
        }
    }

    @Benchmark
    public INDArray lpipsVggForward(LpipsVgg s) {
        INDArray r = s.sd.output(s.feed, "d").get("d");
        MemoryPolicy.step();
        return r;
    }

    @Benchmark
    public INDArray lpipsVggForwardBackward(LpipsVgg s) {
        INDArray g = s.sd.calculateGradients(s.feed, "x").get("x");
        MemoryPolicy.step();
        return g;
    }

    /** Laplacian-pyramid loss (default levels, L1) forward + backward w.r.t. the reconstruction. */
    @State(Scope.Benchmark)
    public static class Laplacian {
        @Param({"256", "1024"})
        public int resolution;
        SameDiff sd;
        Map<String, INDArray> feed;

        @Setup(Level.Trial)
        public void setUp() {
            Nd4j.getRandom().setSeed(0);
            sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.rand(DataType.FLOAT, 1, 3, resolution, resolution));
            SDVariable y = sd.placeHolder("y", DataType.FLOAT, 1, 3, resolution, resolution);
            sd.setLossVariables(LaplacianPyramidLoss.loss(x, y, LaplacianPyramidConfig.defaultsFor(resolution), 3).rename("l"));
            feed = Map.of("y", Nd4j.rand(DataType.FLOAT, 1, 3, resolution, resolution));
            sd.calculateGradients(feed, "x");
        }
    }

    @Benchmark
    public INDArray laplacianForwardBackward(Laplacian s) {
        INDArray g = s.sd.calculateGradients(s.feed, "x").get("x");
        MemoryPolicy.step();
        return g;
    }

    /** SSIM of one RGB pair at 256x256 ([0,255] convention). */
    @State(Scope.Benchmark)
    public static class SsimPair {
        INDArray a, b;

        @Setup(Level.Trial)
        public void setUp() {
            Nd4j.getRandom().setSeed(0);
            a = Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256).muli(255);
            b = a.add(Nd4j.randn(DataType.FLOAT, 1, 3, 256, 256).muli(10));
        }
    }

    @Benchmark
    public double ssim256(SsimPair s) {
        double v = Ssim.image(s.a, s.b, PixelRange.BYTE);
        MemoryPolicy.step();
        return v;
    }

    /**
     * LPIPS-VGG: the VGG16 trunk on both images ({@link Flops#vgg16Features}); forward+backward adds
     * the data gradient of the image branch (1 x trunk). Laplacian pyramid and SSIM: time only.
     */
    static Work work(String method, Map<String, String> params) {
        long vgg = Flops.vgg16Features(256);
        return switch (method) {
            case "lpipsVggForward" -> Work.compute("256px b1", 2 * vgg);
            case "lpipsVggForwardBackward" -> Work.compute("256px b1 (grad x)", 3 * vgg);
            case "laplacianForwardBackward" -> Work.timeOnly(params.get("resolution") + "px b1");
            default -> Work.timeOnly("256px RGB pair");
        };
    }
}
