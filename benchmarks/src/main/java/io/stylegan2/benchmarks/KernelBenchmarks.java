package io.stylegan2.benchmarks;

import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.ops.BiasAct;
import io.stylegan2.core.ops.Conv2dResample;
import io.stylegan2.core.ops.ModulatedConv2d;
import io.stylegan2.core.ops.Upfirdn2d;
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

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The core ops one at a time, float32, random inputs, graphs built in the trial setup. Shapes are
 * {@code shape = "<channels>x<resolution>"} (square images):
 * <ul>
 *   <li>{@code upfirdn2d}: {@code upsample2d} / {@code downsample2d} by 2 with the [1,3,3,1] FIR,
 *       batch 1, {@code (32ch, 256px), (128ch, 128px), (512ch, 64px)} (memory-bound), a fresh
 *       output array per call (as PyTorch allocates one); {@code upfirdn2dReused}: the same with
 *       the output's memory recycled between calls, as inside a network (the bandwidth row);</li>
 *   <li>{@code biasAct}: bias + leaky ReLU + gain sqrt(2), same shapes (memory-bound);</li>
 *   <li>{@code modulatedConv2dForward}, {@code modulatedConv2dForwardBackward}: 3x3, demodulated,
 *       up 1, {@code (512ch, 16px), (256ch, 64px), (64ch, 256px)}, in = out channels, batch 1 and
 *       4; the backward gives the gradients of {@code sum(y)} w.r.t. x, weight and styles;
 *       {@code impl} = {@code reference} (the default path, broadcast multiplies on the
 *       activations) or {@code fused} ({@code ModulatedConv2d.modulatedConv2dFused}: style and
 *       demodulation folded into per-sample weights);</li>
 *   <li>{@code conv2dResample}: 3x3 conv with up or down 2 (NVlabs' orientation), same shapes as
 *       the modulated conv, batch 1.</li>
 * </ul>
 * {@link #work} gives the analytic FLOPs ({@link Flops}) and, for memory-bound ops, the bytes of
 * one read of the input and one write of the output.
 *
 * <p><b>Thread safety:</b> Not thread-safe: each {@code @State(Scope.Benchmark)} object holds a
 * graph or arrays used in place, shared by every benchmark thread, so run with JMH's default single
 * thread ({@code -t 1}). The static members are stateless or immutable.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 3, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dorg.bytedeco.javacpp.maxbytes=8G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=12G"})
public class KernelBenchmarks {

    /** {@code "<channels>x<resolution>"} parsed. */
    record Shape(int channels, int res) {
        static Shape parse(String s) {
            String[] p = s.split("x");
            return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }

        @Override
        public String toString() {
            return channels + "ch " + res + "px";
        }
    }

    static final INDArray FIR = Upfirdn2d.setupFilter(1, 3, 3, 1);

    static SDVariable randomVar(SameDiff sd, String name, long... shape) {
        return sd.var(name, Nd4j.randn(DataType.FLOAT, shape));
    }

    /** {@code upsample2d} or {@code downsample2d} of {@code [1, C, R, R]}. */
    @State(Scope.Benchmark)
    public static class Upfirdn {
        @Param({"32x256", "128x128", "512x64"})
        public String shape;
        @Param({"up", "down"})
        public String direction;
        GraphRunner run;

        @Setup(Level.Trial)
        public void setUp() {
            Shape s = Shape.parse(shape);
            Nd4j.getRandom().setSeed(0);
            SameDiff sd = SameDiff.create();
            SDVariable x = randomVar(sd, "x", 1, s.channels(), s.res(), s.res());
            int[] pad = {0, 0, 0, 0};
            run = new GraphRunner(direction.equals("up") ? Upfirdn2d.upsample2d(x, FIR, 2, pad) : Upfirdn2d.downsample2d(x, FIR, 2, pad), Map.of());
        }
    }

    /**
     * The memory side of {@link Upfirdn} without its arithmetic: the same input and output arrays
     * streamed by rows between native memory and per-thread row arrays, planes split over the
     * threads, as the Java kernel does ({@code FirKernels}), but each output row is only copied:
     * up, every input row twice into each of its two output rows; down, the first half of every
     * second input row (the other one is read too). The floor of any kernel built this way.
     */
    @State(Scope.Benchmark)
    public static class Floor {
        @Param({"32x256", "128x128", "512x64"})
        public String shape;
        @Param({"up", "down"})
        public String direction;
        private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[2][0]);
        INDArray x, out;
        private FloatBuffer in, o;
        private int planes, r;
        private boolean up;

        @Setup(Level.Trial)
        public void setUp() {
            Shape s = Shape.parse(shape);
            Nd4j.getRandom().setSeed(0);
            up = direction.equals("up");
            planes = s.channels();
            r = s.res();
            int or = up ? 2 * r : r / 2;
            x = Nd4j.rand(DataType.FLOAT, 1, planes, r, r);
            out = Nd4j.create(DataType.FLOAT, 1, planes, or, or);
            in = x.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
            o = out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        void run() {
            IntStream.range(0, planes).parallel().forEach(this::plane);
        }

        private void plane(int p) {
            float[][] t = ROWS.get();
            if (t[0].length < r) {
                t[0] = new float[r];
                t[1] = new float[r];
            }
            float[] a = t[0], b = t[1];
            long inAt = (long) p * r * r;
            if (up) {
                long outAt = (long) p * 4 * r * r;
                for (int y = 0; y < r; y++) {
                    in.get((int) (inAt + (long) y * r), a, 0, r);
                    for (int k = 0; k < 4; k++) o.put((int) (outAt + (2L * y * 2 * r) + (long) k * r), a, 0, r);
                }
            } else {
                int h = r / 2;
                long outAt = (long) p * h * h;
                for (int y = 0; y < h; y++) {
                    in.get((int) (inAt + 2L * y * r), a, 0, r);
                    in.get((int) (inAt + (2L * y + 1) * r), b, 0, r);
                    o.put((int) (outAt + (long) y * h), a, 0, h);
                }
            }
        }
    }

    /** Bias + leaky ReLU + gain on {@code [1, C, R, R]}. */
    @State(Scope.Benchmark)
    public static class Bias {
        @Param({"32x256", "128x128", "512x64"})
        public String shape;
        GraphRunner run;

        @Setup(Level.Trial)
        public void setUp() {
            Shape s = Shape.parse(shape);
            Nd4j.getRandom().setSeed(0);
            SameDiff sd = SameDiff.create();
            SDVariable x = randomVar(sd, "x", 1, s.channels(), s.res(), s.res());
            run = new GraphRunner(BiasAct.biasAct(x, randomVar(sd, "b", s.channels()), Activation.LRELU), Map.of());
        }
    }

    /** Demodulated 3x3 modulated conv, C -> C channels at R, batch N; gradients w.r.t. x, weight, styles. */
    @State(Scope.Benchmark)
    public static class ModConv {
        @Param({"512x16", "256x64", "64x256"})
        public String shape;
        @Param({"1", "4"})
        public int batch;
        /** {@code reference}: broadcast multiplies on the activations; {@code fused}: per-sample folded weights. */
        @Param({"reference", "fused"})
        public String impl;
        GraphRunner run;

        @Setup(Level.Trial)
        public void setUp() {
            Shape s = Shape.parse(shape);
            int c = s.channels();
            Nd4j.getRandom().setSeed(0);
            SameDiff sd = SameDiff.create();
            SDVariable x = randomVar(sd, "x", batch, c, s.res(), s.res());
            SDVariable w = randomVar(sd, "weight", 3, 3, c, c);
            SDVariable styles = randomVar(sd, "styles", batch, c);
            SDVariable y = switch (impl) {
                case "reference" -> ModulatedConv2d.modulatedConv2d(x, w, styles, null, 1, 1, null, true, null);
                case "fused" -> ModulatedConv2d.modulatedConv2dFused(x, w, new long[] {3, 3, c, c}, styles, batch, null, 1, 1, null, true, true);
                default -> throw new IllegalArgumentException("impl " + impl);
            };
            run = new GraphRunner(y, Map.of(), "x", "weight", "styles");
        }
    }

    /** 3x3 {@code conv2d_resample} C -> C with up or down 2 on {@code [1, C, R, R]}. */
    @State(Scope.Benchmark)
    public static class Resample {
        @Param({"512x16", "256x64", "64x256"})
        public String shape;
        @Param({"up", "down"})
        public String direction;
        GraphRunner run;

        @Setup(Level.Trial)
        public void setUp() {
            Shape s = Shape.parse(shape);
            int c = s.channels();
            boolean up = direction.equals("up");
            Nd4j.getRandom().setSeed(0);
            SameDiff sd = SameDiff.create();
            SDVariable x = randomVar(sd, "x", 1, c, s.res(), s.res());
            SDVariable w = randomVar(sd, "weight", 3, 3, c, c);
            run = new GraphRunner(Conv2dResample.conv2dResample(x, w, FIR, up ? 2 : 1, up ? 1 : 2, new int[] {1, 1, 1, 1}, !up), Map.of());
        }
    }

    @Benchmark
    public INDArray upfirdn2d(Upfirdn s) {
        return s.run.forward();
    }

    /** As {@link #upfirdn2d}, the output array recycled between calls ({@link GraphRunner#forwardReused}). */
    @Benchmark
    public INDArray upfirdn2dReused(Upfirdn s) {
        return s.run.forwardReused();
    }

    /** The row-streaming floor of {@link #upfirdn2dReused} ({@link Floor}): no SameDiff, no filter. */
    @Benchmark
    public INDArray upfirdn2dFloor(Floor s) {
        s.run();
        return s.out;
    }

    @Benchmark
    public INDArray biasAct(Bias s) {
        return s.run.forward();
    }

    @Benchmark
    public INDArray modulatedConv2dForward(ModConv s) {
        return s.run.forward();
    }

    @Benchmark
    public Map<String, INDArray> modulatedConv2dForwardBackward(ModConv s) {
        return s.run.backward();
    }

    @Benchmark
    public INDArray conv2dResample(Resample s) {
        return s.run.forward();
    }

    /** Analytic work of one call of {@code method} with JMH parameters {@code params}; see the class comment. */
    static Work work(String method, Map<String, String> params) {
        Shape s = Shape.parse(params.get("shape"));
        long c = s.channels(), r = s.res(), in = c * r * r;
        String dir = params.getOrDefault("direction", "");
        switch (method) {
            case "upfirdn2d":
            case "upfirdn2dReused":
            case "upfirdn2dFloor": {
                boolean up = dir.equals("up");
                long outRes = up ? 2 * r : r / 2;
                boolean floor = method.endsWith("Floor");
                String how = method.endsWith("Reused") ? " (output reused)" : floor ? " (rows copied, no filter)" : "";
                return Work.memory(s + " b1 " + dir + how, floor ? 0 : Flops.upfirdn2d(1, c, outRes), Work.f32(in) + Work.f32(c * outRes * outRes));
            }
            case "biasAct":
                return Work.memory(s + " b1", 0, 2 * Work.f32(in) + Work.f32(c));
            case "modulatedConv2dForward":
            case "modulatedConv2dForwardBackward": {
                int n = Integer.parseInt(params.get("batch"));
                long macs = Flops.modulatedConv(n, c, c, 3, r, true);
                boolean bwd = method.endsWith("Backward");
                String impl = params.getOrDefault("impl", "reference").equals("reference") ? "" : " " + params.get("impl");
                return Work.compute(s + " b" + n + impl + (bwd ? " (grad x,w,s)" : ""), bwd ? Flops.BACKWARD_FULL * macs : macs);
            }
            case "conv2dResample":
                return Work.compute(s + " b1 " + dir, dir.equals("up") ? Flops.conv2dResampleUp(1, c, c, 3, r) : Flops.conv2dResampleDown(1, c, c, 3, r));
            default:
                throw new IllegalArgumentException("no work count for KernelBenchmarks." + method);
        }
    }
}
