package io.stylegan2.core.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The Java kernels behind the {@link io.stylegan2.core.engine.JavaKernel} ops: plain loops over the arrays' native memory, a
 * channel plane ({@code [H, W]} of one sample and channel) per task, in chunks small enough to stay
 * in the first-level cache, split over the common fork-join pool when the array is large.
 * FLOAT arrays are computed in float with loops C2 vectorises, DOUBLE arrays in double (the
 * float64 gradient checks); other types are rejected.
 */
final class Kernels {
    /** Elements per chunk (16 KiB of doubles). */
    private static final int CHUNK = 2048;
    /** Arrays with fewer elements run on the calling thread. */
    private static final long PARALLEL_MIN = 1 << 15;
    /** 2^126: scales the smallest normal float to 1 (see the backward's step function). */
    private static final float BIG = 0x1p126f;

    private Kernels() {}

    /** {@code y = clamp(lrelu(x + b[c], alpha) * gain)} for {@code x [N, C, ...]}; clamp &lt; 0: none. */
    static void biasActForward(INDArray x, INDArray b, double alpha, double gain, double clamp, INDArray y) {
        Planes pl = new Planes(x, "biasAct x");
        double[] bias = vector(b, pl.channels, "biasAct b");
        Mem in = new Mem(dense(x)), out = Mem.ofOutput(y);
        boolean f32 = in.f32 && out.f32;
        float af = (float) alpha, gf = (float) gain, cf = (float) clamp;
        forEachPlane(pl, p -> {
            double bc = bias[(int) (p % pl.channels)];
            float bf = (float) bc;
            for (long o = 0; o < pl.inner; o += CHUNK) {
                int n = (int) Math.min(CHUNK, pl.inner - o);
                long at = p * pl.inner + o;
                if (f32) {
                    float[] v = in.readFloats(at, n, 0);
                    for (int i = 0; i < n; i++) {
                        float z = v[i] + bf;
                        v[i] = Math.max(z, z * af) * gf;
                    }
                    if (clamp >= 0)
                        for (int i = 0; i < n; i++) v[i] = Math.min(Math.max(v[i], -cf), cf);
                    out.putFloats(at, v, 0, n);
                } else {
                    double[] v = in.read(at, n, 0);
                    for (int i = 0; i < n; i++) {
                        double z = v[i] + bc;
                        v[i] = Math.max(z, z * alpha) * gain;
                    }
                    if (clamp >= 0)
                        for (int i = 0; i < n; i++) v[i] = Math.min(Math.max(v[i], -clamp), clamp);
                    out.write(at, v, n);
                }
            }
            return 0;
        });
        out.finish(y);
    }

    /**
     * The backward of {@link #biasActForward} from its output {@code y}: {@code dx = dy * gain *
     * (y > 0 ? 1 : alpha)}, zero where {@code |y| >= clamp} (clamp &gt;= 0), and {@code db[c]} the sum
     * of {@code dx} over every axis but 1. The float path computes the two comparisons without
     * branches, as {@code t * 2^126} clamped to [0, 1]: exact for zeros and every normal float; a
     * subnormal {@code t} (|t| &lt; 1.2e-38) would count as a fraction.
     */
    static void biasActBackward(INDArray y, INDArray dy, double alpha, double gain, double clamp, INDArray dx, INDArray db) {
        Planes pl = new Planes(y, "biasAct y");
        if (!Arrays.equals(dy.shape(), y.shape()))
            throw new IllegalArgumentException("biasAct backward: gradient " + Arrays.toString(dy.shape()) + " does not match y " + Arrays.toString(y.shape()));
        Mem ym = new Mem(dense(y)), gm = new Mem(dense(dy)), out = Mem.ofOutput(dx);
        boolean f32 = ym.f32 && gm.f32 && out.f32;
        double neg = gain * alpha;
        float gf = (float) gain, nf = (float) neg, cf = clamp >= 0 ? (float) clamp : Float.POSITIVE_INFINITY;
        double cd = clamp >= 0 ? clamp : Double.POSITIVE_INFINITY;
        double[] sums = new double[(int) pl.planes];
        forEachPlane(pl, p -> {
            double sum = 0;
            for (long o = 0; o < pl.inner; o += CHUNK) {
                int n = (int) Math.min(CHUNK, pl.inner - o);
                long at = p * pl.inner + o;
                if (f32) {
                    float[] yv = ym.readFloats(at, n, 0), gv = gm.readFloats(at, n, 1);
                    for (int i = 0; i < n; i++) { // branch-free (vectorised): step(t) = [t > 0] for normal floats and zeros
                        float yi = yv[i];
                        float pos = Math.max(Math.min(yi * BIG, 1f), 0f);
                        float keep = Math.max(Math.min((cf - Math.abs(yi)) * BIG, 1f), 0f);
                        gv[i] = gv[i] * (pos * gf + (1f - pos) * nf) * keep;
                    }
                    sum += sum(gv, n);
                    out.putFloats(at, gv, 0, n);
                } else {
                    double[] yv = ym.read(at, n, 0), gv = gm.read(at, n, 1);
                    for (int i = 0; i < n; i++) {
                        double yi = yv[i];
                        gv[i] = Math.abs(yi) < cd ? gv[i] * (yi > 0 ? gain : neg) : 0;
                        sum += gv[i];
                    }
                    out.write(at, gv, n);
                }
            }
            sums[(int) p] = sum;
            return 0;
        });
        out.finish(dx);
        double[] perChannel = new double[pl.channels];
        for (int p = 0; p < sums.length; p++) perChannel[p % pl.channels] += sums[p];
        db.assign(Nd4j.createFromArray(perChannel).castTo(db.dataType()).reshape(db.shape()));
    }

    /** The sum of {@code v[0..n)}, in eight interleaved float partial sums (one serial chain would cost ~4 cycles an element). */
    private static double sum(float[] v, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += v[i];
            s1 += v[i + 1];
            s2 += v[i + 2];
            s3 += v[i + 3];
            s4 += v[i + 4];
            s5 += v[i + 5];
            s6 += v[i + 6];
            s7 += v[i + 7];
        }
        for (; i < n; i++) s0 += v[i];
        return (double) s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }

    /** The plane structure of an {@code [N, C, ...]} array. */
    static final class Planes {
        final long planes, inner;
        final int channels;

        Planes(INDArray a, String what) {
            if (a.rank() < 2) throw new IllegalArgumentException(what + ": need rank >= 2, got shape " + Arrays.toString(a.shape()));
            channels = (int) a.size(1);
            planes = a.size(0) * a.size(1);
            inner = planes == 0 ? 0 : a.length() / planes;
        }
    }

    interface PlaneTask {
        int run(long plane);
    }

    static void forEachPlane(Planes pl, PlaneTask task) {
        if (pl.planes * pl.inner >= PARALLEL_MIN && pl.planes > 1)
            IntStream.range(0, (int) pl.planes).parallel().forEach(task::run);
        else
            for (long p = 0; p < pl.planes; p++) task.run(p);
    }

    private static double[] vector(INDArray b, int channels, String what) {
        if (b.length() != channels)
            throw new IllegalArgumentException(what + ": " + b.length() + " values for " + channels + " channels");
        return b.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** {@code a} itself when it is dense in c order, else a dense copy. */
    static INDArray dense(INDArray a) {
        return isDense(a) ? a : a.dup('c');
    }

    private static boolean isDense(INDArray a) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
    }

    /** Reads and writes chunks of a dense FLOAT or DOUBLE array's native memory into per-thread scratch arrays. */
    static final class Mem {
        private static final ThreadLocal<float[][]> F = ThreadLocal.withInitial(() -> new float[2][CHUNK]);
        private static final ThreadLocal<double[][]> D = ThreadLocal.withInitial(() -> new double[2][CHUNK]);
        /**
         * Bytes per NIO view of the native memory. A buffer indexes by int, so an array of more than
         * 2 GiB (config-f training at 256 px has them) is read through several views of
         * {@code SEGMENT_BYTES} each; not final so that a test can make them tiny.
         */
        static long SEGMENT_BYTES = 1L << 30;
        final boolean f32;
        private final FloatBuffer[] fs;
        private final DoubleBuffer[] ds;
        /** Elements per view. */
        private final long seg;
        private final long off;
        /** The array written into when the output itself is not dense (then copied at {@link #finish}). */
        private INDArray target;

        Mem(INDArray a) {
            if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE)
                throw new IllegalArgumentException("Java kernels take FLOAT or DOUBLE arrays, got " + a.dataType());
            f32 = a.dataType() == DataType.FLOAT;
            off = a.offset();
            long end = off + a.length(), width = f32 ? 4 : 8;
            seg = Math.max(1, SEGMENT_BYTES / width);
            int views = (int) Math.max(1, (end + seg - 1) / seg);
            fs = f32 ? new FloatBuffer[views] : null;
            ds = f32 ? null : new DoubleBuffer[views];
            if (views == 1) {
                java.nio.ByteBuffer bb = a.data().asNio().order(ByteOrder.nativeOrder());
                if (f32) fs[0] = bb.asFloatBuffer();
                else ds[0] = bb.asDoubleBuffer();
            } else {
                long base = a.data().address();
                for (int v = 0; v < views; v++) {
                    long from = v * seg, n = Math.min(end, from + seg) - from;
                    if (f32) fs[v] = new RawFloats(base + from * width, n).asBuffer();
                    else ds[v] = new RawDoubles(base + from * width, n).asBuffer();
                }
            }
        }

        /** Scratch {@code slot} (0 or 1) of this thread filled with {@code n} floats from element {@code at}. */
        float[] readFloats(long at, int n, int slot) {
            float[] f = F.get()[slot];
            getFloats(at, f, 0, n);
            return f;
        }

        /** As {@link #readFloats} for a DOUBLE array. */
        double[] read(long at, int n, int slot) {
            double[] d = D.get()[slot];
            get(at, d, n);
            return d;
        }

        void write(long at, double[] src, int n) {
            if (ds.length == 1) ds[0].put((int) (off + at), src, 0, n);
            else spans(at, n, (v, w, p, k) -> ds[v].put(w, src, p, k));
        }

        /** {@code n} floats from element {@code at} into {@code dst[d, d + n)} (a caller's scratch array). */
        void getFloats(long at, float[] dst, int d, int n) {
            if (fs.length == 1) fs[0].get((int) (off + at), dst, d, n);
            else spans(at, n, (v, w, p, k) -> fs[v].get(w, dst, d + p, k));
        }

        /** {@code src[s, s + n)} into {@code n} floats from element {@code at}. */
        void putFloats(long at, float[] src, int s, int n) {
            if (fs.length == 1) fs[0].put((int) (off + at), src, s, n);
            else spans(at, n, (v, w, p, k) -> fs[v].put(w, src, s + p, k));
        }

        /** {@code n} doubles from element {@code at} into {@code dst}. */
        void get(long at, double[] dst, int n) {
            if (ds.length == 1) ds[0].get((int) (off + at), dst, 0, n);
            else spans(at, n, (v, w, p, k) -> ds[v].get(w, dst, p, k));
        }

        /** A copy of {@code k} elements at index {@code w} of view {@code v}, the {@code p}-th to {@code (p + k)}-th of a request. */
        private interface Span {
            void copy(int v, int w, int p, int k);
        }

        /** Cuts the request for elements {@code [at, at + n)} at the views' borders (arrays over {@link #SEGMENT_BYTES} only). */
        private void spans(long at, int n, Span span) {
            int p = 0;
            for (long i = off + at; p < n; ) {
                int v = (int) (i / seg), w = (int) (i - v * seg), k = (int) Math.min(n - p, seg - w);
                span.copy(v, w, p, k);
                i += k;
                p += k;
            }
        }

        /** {@code n} floats of native memory at {@code address} (javacpp's address field is protected: set here). */
        private static final class RawFloats extends org.bytedeco.javacpp.FloatPointer {
            RawFloats(long address, long n) {
                this.address = address;
                this.limit = n;
                this.capacity = n;
            }
        }

        /** {@code n} doubles of native memory at {@code address}. */
        private static final class RawDoubles extends org.bytedeco.javacpp.DoublePointer {
            RawDoubles(long address, long n) {
                this.address = address;
                this.limit = n;
                this.capacity = n;
            }
        }

        /** For an output: writes into {@code a} directly if dense, else into a dense temporary. */
        static Mem ofOutput(INDArray a) {
            INDArray d = isDense(a) ? a : Nd4j.createUninitialized(a.dataType(), a.shape());
            Mem m = new Mem(d);
            m.target = d;
            return m;
        }

        /** Copies the temporary into {@code a} when one was needed. */
        void finish(INDArray a) {
            if (target != a) a.assign(target);
        }
    }
}
