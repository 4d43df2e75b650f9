package io.stylegan2.core.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Java kernel of {@link Upfirdn2dOp}: upsample, pad, FIR-filter and downsample each channel
 * plane, with the zero insertion and the padding never materialised.
 *
 * <p>Per axis the whole operation is a sparse matrix: output sample {@code o} is the sum over the
 * taps {@code t} of {@code k[t] * x[u / up]} with {@code u = o * down + t - p0}, for the taps whose
 * {@code u} lands on an input sample ({@code 0 <= u < n * up}, {@code u % up == 0}); at most
 * {@code ceil(k / up)} taps per output (polyphase). {@link Axis} lists them once per call. A
 * separable kernel {@code k[a][b] = u[a] * v[b]} (every StyleGAN filter) is then two passes over a
 * plane: a vertical one (whole rows combined with the taps' weights) and a horizontal one per row
 * ({@link Line}: shifted copies of the row combined, for float; a gather per output sample for
 * double). The pass that shrinks the plane runs first: rows first when downsampling, columns first
 * otherwise. A kernel that is not separable is summed as one such pair per kernel row. Taps of
 * weight zero are skipped (a NaN under a zero tap does not propagate). Float planes stream row by
 * row ({@link Stream}); double planes, the float64 oracle of the gradient checks, are computed
 * whole with plain loops.
 *
 * <p>The adjoint (the backward) is the same operation with {@code up} and {@code down} swapped, the
 * kernel flipped and the padding of NVlabs' backward:
 * {@code [kw - px0 - 1, W*up - oW*down + px0 - up + 1, kh - py0 - 1, H*up - oH*down + py0 - up + 1]}.
 */
final class FirKernels {
    private FirKernels() {}

    /** Per-thread scratch of the double path: input plane, intermediate plane, output plane. */
    private static final ThreadLocal<double[][]> D = ThreadLocal.withInitial(() -> new double[3][0]);

    /** Output length of one axis: {@code floor((n*up + p0 + p1 - k) / down) + 1}; an error if the padded axis is shorter than the kernel. */
    static long outSize(long n, int up, int down, int p0, int p1, int k, String axis) {
        long padded = n * up + p0 + p1;
        if (padded < k)
            throw new IllegalArgumentException("upfirdn2d: padded " + axis + " " + padded + " (size " + n + ", up " + up + ", padding " + p0 + ", " + p1 + ") is smaller than the filter (" + k + ")");
        return (padded - k) / down + 1;
    }

    /**
     * {@code out = upfirdn2d(x)} for {@code x [N, C, H, W]} with the correlation kernel {@code k}
     * ({@code [kh, kw]} row-major, gain and flip already applied), padding {@code [x0, x1, y0, y1]}.
     */
    static void forward(INDArray x, int up, int down, int[] p, double[] k, int kh, int kw, INDArray out) {
        if (x.rank() != 4) throw new IllegalArgumentException("upfirdn2d: x must be [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        if (x.dataType() != out.dataType())
            throw new IllegalArgumentException("upfirdn2d: x is " + x.dataType() + " but the output is " + out.dataType());
        int h = (int) x.size(2), w = (int) x.size(3);
        int oh = (int) outSize(h, up, down, p[2], p[3], kh, "height"), ow = (int) outSize(w, up, down, p[0], p[1], kw, "width");
        long[] want = {x.size(0), x.size(1), oh, ow};
        if (!Arrays.equals(out.shape(), want))
            throw new IllegalArgumentException("upfirdn2d: output " + Arrays.toString(out.shape()) + ", expected " + Arrays.toString(want));
        List<double[][]> terms = terms(k, kh, kw);
        Axis[] rows = new Axis[terms.size()], cols = new Axis[terms.size()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = new Axis(h, oh, up, down, p[2], terms.get(r)[0]);
            cols[r] = new Axis(w, ow, up, down, p[0], terms.get(r)[1]);
        }
        boolean rowsFirst = oh < h;
        Line[] lines = new Line[terms.size()];
        if (up == 1 || down == 1)
            for (int r = 0; r < lines.length; r++) lines[r] = new Line(w, ow, up, down, p[0], terms.get(r)[1]);
        Kernels.Planes pl = new Kernels.Planes(x, "upfirdn2d x");
        Kernels.Mem in = new Kernels.Mem(Kernels.dense(x)), o = Kernels.Mem.ofOutput(out);
        long inPlane = (long) h * w, outPlane = (long) oh * ow;
        Stream stream = in.f32 ? new Stream(h, w, oh, ow, rows, cols, lines, rowsFirst) : null;
        Kernels.forEachPlane(pl, plane -> {
            if (stream != null) stream.plane(in, plane * inPlane, o, plane * outPlane);
            else planeDouble(in, plane * inPlane, o, plane * outPlane, h, w, oh, ow, rows, cols, rowsFirst);
            return 0;
        });
        o.finish(out);
    }

    /** The double path for one plane: whole planes in per-thread arrays, per-output gathers along the columns. */
    private static void planeDouble(Kernels.Mem in, long inAt, Kernels.Mem out, long outAt, int h, int w, int oh, int ow,
                                    Axis[] rows, Axis[] cols, boolean rowsFirst) {
        double[][] s = scratch(D.get(), h * w, rowsFirst ? oh * w : h * ow, oh * ow);
        in.get(inAt, s[0], h * w);
        for (int r = 0; r < rows.length; r++) {
            boolean acc = r > 0;
            if (rowsFirst) {
                rows(s[0], w, rows[r], s[1], false);
                cols(s[1], oh, w, cols[r], s[2], acc);
            } else {
                cols(s[0], h, w, cols[r], s[1], false);
                rows(s[1], ow, rows[r], s[2], acc);
            }
        }
        out.write(outAt, s[2], oh * ow);
    }

    /**
     * {@code dx = upfirdn2d^T(dy)}: the adjoint of {@link #forward} with the same parameters, for a
     * forward input of height {@code h} and width {@code w} ({@code dx [N, C, h, w]}).
     */
    static void adjoint(INDArray dy, int up, int down, int[] p, double[] k, int kh, int kw, INDArray dx) {
        int h = (int) dx.size(2), w = (int) dx.size(3);
        long oh = outSize(h, up, down, p[2], p[3], kh, "height"), ow = outSize(w, up, down, p[0], p[1], kw, "width");
        if (dy.rank() != 4 || dy.size(2) != oh || dy.size(3) != ow || dy.size(0) != dx.size(0) || dy.size(1) != dx.size(1))
            throw new IllegalArgumentException("upfirdn2d backward: gradient " + Arrays.toString(dy.shape()) + " does not match the output ["
                    + dx.size(0) + ", " + dx.size(1) + ", " + oh + ", " + ow + "] of an input " + Arrays.toString(dx.shape()));
        int[] q = {kw - p[0] - 1, (int) (w * up - ow * down + p[0] - up + 1), kh - p[2] - 1, (int) (h * up - oh * down + p[2] - up + 1)};
        double[] flipped = new double[k.length];
        for (int i = 0; i < k.length; i++) flipped[i] = k[k.length - 1 - i];
        forward(dy, down, up, q, flipped, kh, kw, dx);
    }

    /**
     * {@code k [kh, kw]} as a sum of outer products {@code u v^T} ({@code {u, v}} pairs): one pair
     * when {@code k} has rank one (to 1e-12 of its largest entry), else one per row of {@code k}.
     */
    static List<double[][]> terms(double[] k, int kh, int kw) {
        int pa = 0, pb = 0;
        for (int i = 0; i < k.length; i++)
            if (Math.abs(k[i]) > Math.abs(k[pa * kw + pb])) {
                pa = i / kw;
                pb = i % kw;
            }
        double pivot = k[pa * kw + pb];
        List<double[][]> out = new ArrayList<>();
        if (pivot == 0) { // all zero: one zero term keeps the output shape logic uniform
            out.add(new double[][] {new double[kh], new double[kw]});
            return out;
        }
        double[] u = new double[kh], v = new double[kw];
        for (int a = 0; a < kh; a++) u[a] = k[a * kw + pb];
        for (int b = 0; b < kw; b++) v[b] = k[pa * kw + b] / pivot;
        boolean separable = true;
        for (int a = 0; a < kh && separable; a++)
            for (int b = 0; b < kw; b++)
                if (Math.abs(k[a * kw + b] - u[a] * v[b]) > 1e-12 * Math.abs(pivot)) {
                    separable = false;
                    break;
                }
        if (separable) {
            out.add(new double[][] {u, v});
            return out;
        }
        for (int a = 0; a < kh; a++) {
            double[] e = new double[kh];
            e[a] = 1;
            out.add(new double[][] {e, Arrays.copyOfRange(k, a * kw, (a + 1) * kw)});
        }
        return out;
    }

    /** One axis of the resampling: output {@code o} sums {@code cnt[o]} taps at {@code [o * taps, o * taps + cnt[o])}. */
    static final class Axis {
        final int outN, taps;
        final int[] cnt, idx;
        final double[] w;
        final float[] wf;

        Axis(int n, int outN, int up, int down, int p0, double[] k) {
            this.outN = outN;
            taps = Math.max(1, (k.length + up - 1) / up);
            cnt = new int[outN];
            idx = new int[outN * taps];
            w = new double[outN * taps];
            wf = new float[outN * taps];
            for (int o = 0; o < outN; o++) {
                int c = 0;
                for (int t = 0; t < k.length; t++) {
                    long u = (long) o * down + t - p0;
                    if (u < 0 || u >= (long) n * up || u % up != 0 || k[t] == 0) continue;
                    idx[o * taps + c] = (int) (u / up);
                    w[o * taps + c] = k[t];
                    wf[o * taps + c] = (float) k[t];
                    c++;
                }
                cnt[o] = c;
            }
        }
    }

    private static double[][] scratch(double[][] s, int... sizes) {
        for (int i = 0; i < sizes.length; i++) if (s[i].length < sizes[i]) s[i] = new double[sizes[i]];
        return s;
    }

    /** {@code s} with at least {@code count} rows of at least {@code len} floats (grown in place). */
    private static float[][] rowsOf(float[][] s, int count, int len) {
        if (s.length < count) s = Arrays.copyOf(s, count);
        for (int i = 0; i < count; i++) if (s[i] == null || s[i].length < len) s[i] = new float[len];
        return s;
    }

    /** Per-thread buffers of the float path, looked up once per plane. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> OF = ThreadLocal.withInitial(Scratch::new);
        /** {@link Stream}: the ring, then the input, combined and output rows. */
        float[][] rows = new float[0][];
        /** {@link Line}: the shifted copies (one per tap), then the full-rate row of a downsampling pass. */
        float[][] line = new float[0][];
        float[][] picks = new float[0][];
        float[] weights = new float[0];
        /** {@link Line}: rows laid out in a zero-stuffed buffer; only the sample positions are ever written, so the zeros stay. */
        private float[] layout = new float[0];
        private final int[] layoutOf = new int[4];

        /**
         * The layout buffer (at least {@code len}) for rows of {@code n} samples spread by {@code up},
         * {@code gapL} zeros before each, {@code seg} apart: a new zero array when the layout changes.
         */
        float[] layout(int up, int n, int gapL, int seg, int len) {
            boolean same = layoutOf[0] == up && layoutOf[1] == n && layoutOf[2] == gapL && layoutOf[3] == seg;
            if (!same || layout.length < len) {
                layout = new float[Math.max(len, same ? layout.length : 0)];
                layoutOf[0] = up;
                layoutOf[1] = n;
                layoutOf[2] = gapL;
                layoutOf[3] = seg;
            }
            return layout;
        }
    }

    /**
     * {@code dst[j]} (=, or += when {@code acc}) {@code sum_i w[i] * src[i][j]} for {@code j < len},
     * up to four rows per pass. Every access is at index {@code j} of its own array: the JDK 17 JIT
     * vectorises such loops but none whose arrays are indexed at different offsets (measured: 0.05
     * against 0.4-0.5 ns an element), hence the separate row arrays throughout the float path.
     */
    static void combine(float[][] src, float[] w, int c, float[] dst, int len, boolean acc) {
        int t = 0;
        if (!acc) {
            if (c == 0) {
                Arrays.fill(dst, 0, len, 0f);
                return;
            }
            float[] a = src[0];
            float wa = w[0];
            if (c >= 4) {
                float[] b = src[1], e = src[2], f = src[3];
                float wb = w[1], we = w[2], wf = w[3];
                for (int j = 0; j < len; j++) dst[j] = wa * a[j] + wb * b[j] + we * e[j] + wf * f[j];
                t = 4;
            } else if (c >= 2) {
                float[] b = src[1];
                float wb = w[1];
                for (int j = 0; j < len; j++) dst[j] = wa * a[j] + wb * b[j];
                t = 2;
            } else {
                for (int j = 0; j < len; j++) dst[j] = wa * a[j];
                t = 1;
            }
        }
        while (t < c) {
            float[] a = src[t];
            float wa = w[t];
            if (c - t >= 4) {
                float[] b = src[t + 1], e = src[t + 2], f = src[t + 3];
                float wb = w[t + 1], we = w[t + 2], wf = w[t + 3];
                for (int j = 0; j < len; j++) dst[j] += wa * a[j] + wb * b[j] + we * e[j] + wf * f[j];
                t += 4;
            } else if (c - t >= 2) {
                float[] b = src[t + 1];
                float wb = w[t + 1];
                for (int j = 0; j < len; j++) dst[j] += wa * a[j] + wb * b[j];
                t += 2;
            } else {
                for (int j = 0; j < len; j++) dst[j] += wa * a[j];
                t += 1;
            }
        }
    }

    /** {@code dst[m] = src[m + delta]} for {@code m < len}, zero where {@code m + delta} is outside {@code [0, n)} (one array copy). */
    static void shift(float[] src, int n, int delta, float[] dst, int len) {
        int lo = Math.min(len, Math.max(0, -delta)), hi = Math.max(lo, Math.min(len, n - delta));
        Arrays.fill(dst, 0, lo, 0f);
        if (hi > lo) System.arraycopy(src, lo + delta, dst, lo, hi - lo);
        Arrays.fill(dst, hi, len, 0f);
    }

    /**
     * The float path: a plane streamed row by row between native memory and small per-thread row
     * buffers (a ring holding the source rows the vertical taps need, one row for each pass), so
     * the working set stays in the first- and second-level caches at any plane size. Columns
     * first (upsampling, same size): source row {@code j} is the horizontal pass of input row
     * {@code j} (one per term); output row {@code o} combines the source rows of its vertical taps.
     * Rows first (downsampling): source row {@code j} is input row {@code j}; output row {@code o}
     * is the horizontal pass of the combination of its vertical taps; there, short rows go through
     * the horizontal pass several at a time ({@link Line#apply}), so that its fixed costs per call
     * are shared (measured: 18% off the 64 px planes; batching the columns-first passes, whose
     * outputs are twice as long and then need a copy into the ring, gained nothing).
     */
    private static final class Stream {
        /** Rows-first passes batch rows shorter than this many samples for the horizontal pass (up to 16 rows). */
        private static final int BATCH_SAMPLES = 512;
        private final int h, w, oh, ow, ring, maxTaps, lineRows, lineLen, batch;
        private final Axis[] rows, cols;
        private final Line[] lines;
        private final boolean rowsFirst;

        Stream(int h, int w, int oh, int ow, Axis[] rows, Axis[] cols, Line[] lines, boolean rowsFirst) {
            this.h = h;
            this.w = w;
            this.oh = oh;
            this.ow = ow;
            this.rows = rows;
            this.cols = cols;
            this.lines = lines;
            this.rowsFirst = rowsFirst;
            // output rows per step: several short ones when rows first, else one
            batch = lines[0] != null && rowsFirst ? Math.max(1, Math.min(16, BATCH_SAMPLES / Math.max(1, w))) : 1;
            // the ring holds every source row one step's output rows need
            int span = 1, taps = 1;
            for (int o0 = 0; o0 < oh; o0 += batch) {
                int lo = Integer.MAX_VALUE, hi = -1;
                for (int o = o0; o < Math.min(oh, o0 + batch); o++)
                    for (Axis a : rows) {
                        int c = a.cnt[o];
                        if (c == 0) continue;
                        lo = Math.min(lo, a.idx[o * a.taps]);
                        hi = Math.max(hi, a.idx[o * a.taps + c - 1]);
                        taps = Math.max(taps, c);
                    }
                if (hi >= 0) span = Math.max(span, hi - lo + 1);
            }
            ring = Math.max(1, Math.min(h, span));
            maxTaps = taps;
            int lr = 0, ll = 0;
            for (Line l : lines)
                if (l != null) {
                    lr = Math.max(lr, l.scratchRows());
                    ll = Math.max(ll, l.scratchLength(batch));
                }
            lineRows = lr;
            lineLen = ll;
        }

        /** Output plane at element {@code outAt} of {@code out} from the input plane at {@code inAt}. */
        void plane(Kernels.Mem in, long inAt, Kernels.Mem out, long outAt) {
            int terms = rows.length, ringRows = ring * (rowsFirst ? 1 : terms);
            Scratch sc = Scratch.OF.get();
            // the ring, then the input (columns first) or combined (rows first) rows of a step, then its output rows
            float[][] b = sc.rows = rowsOf(sc.rows, ringRows + 2 * batch, Math.max(w, ow));
            sc.line = rowsOf(sc.line, lineRows, lineLen);
            if (sc.picks.length < maxTaps) {
                sc.picks = new float[maxTaps][];
                sc.weights = new float[maxTaps];
            }
            float[][] picks = sc.picks, srcRows = new float[batch][], dstRows = new float[batch][], target = new float[1][];
            float[] wts = sc.weights;
            for (int i = 0; i < batch; i++) {
                srcRows[i] = b[ringRows + i];
                dstRows[i] = b[ringRows + batch + i];
            }
            int produced = -1;
            for (int o0 = 0; o0 < oh; o0 += batch) {
                int n = Math.min(batch, oh - o0), hi = -1;
                for (int o = o0; o < o0 + n; o++)
                    for (Axis a : rows) if (a.cnt[o] > 0) hi = Math.max(hi, a.idx[o * a.taps + a.cnt[o] - 1]);
                while (produced < hi) {
                    int j = ++produced;
                    if (rowsFirst) {
                        in.getFloats(inAt + (long) j * w, b[j % ring], 0, w);
                        continue;
                    }
                    in.getFloats(inAt + (long) j * w, srcRows[0], 0, w);
                    for (int r = 0; r < terms; r++) {
                        target[0] = b[r * ring + j % ring];
                        horizontal(srcRows, 1, target, false, r, sc);
                    }
                }
                for (int r = 0; r < terms; r++) {
                    Axis a = rows[r];
                    for (int i = 0; i < n; i++) {
                        int o = o0 + i, c = a.cnt[o], base = o * a.taps;
                        for (int t = 0; t < c; t++) {
                            picks[t] = b[(rowsFirst ? 0 : r * ring) + a.idx[base + t] % ring];
                            wts[t] = a.wf[base + t];
                        }
                        if (rowsFirst) combine(picks, wts, c, srcRows[i], w, false);
                        else combine(picks, wts, c, dstRows[i], ow, r > 0);
                    }
                    if (rowsFirst) horizontal(srcRows, n, dstRows, r > 0, r, sc);
                }
                for (int i = 0; i < n; i++) out.putFloats(outAt + (long) (o0 + i) * ow, dstRows[i], 0, ow);
            }
        }

        /** The horizontal pass of term {@code r} on {@code count} rows: the polyphase {@link Line}, or a gather per output. */
        private void horizontal(float[][] src, int count, float[][] dst, boolean acc, int r, Scratch sc) {
            if (lines[r] != null) {
                lines[r].apply(src, count, dst, acc, sc);
                return;
            }
            Axis a = cols[r];
            for (int i = 0; i < count; i++) {
                float[] s = src[i], d = dst[i];
                for (int o = 0; o < a.outN; o++) {
                    int base = o * a.taps, c = a.cnt[o];
                    float v = 0;
                    for (int t = 0; t < c; t++) v += a.wf[base + t] * s[a.idx[base + t]];
                    d[o] = acc ? d[o] + v : v;
                }
            }
        }
    }

    /**
     * The 1-D upfirdn of rows, for {@code up == 1} or {@code down == 1}, as array copies and
     * {@link #combine}s of whole runs; the scalar loops (the JIT does not vectorise strided
     * accesses) touch each sample of the sparser side once. The rows of a call are laid out one
     * after the other in a zero-stuffed buffer, {@code Z[up*i] = x[i]} per row, with zeros around
     * each row wide enough that no tap reaches the next (one store per input sample; the zeros
     * stay between calls). The filter is then one plain correlation over the whole buffer,
     * {@code F[j] = sum_t k[t] * Z[j + t - p0]}, one shifted copy of the buffer per tap, and each
     * row's output is its run of {@code F}; downsampling keeps every {@code down}-th sample of it.
     */
    static final class Line {
        private final int n, outN, up, down, full, gapL, seg;
        /** Per tap: the shift into {@code Z} ({@code t - p0}) and the weight. */
        private final int[] shift;
        private final float[] w;

        Line(int n, int outN, int up, int down, int p0, double[] k) {
            if (up > 1 && down > 1) throw new IllegalArgumentException("upfirdn2d: a row pass takes up or down, not both");
            this.n = n;
            this.outN = outN;
            this.up = up;
            this.down = down;
            full = down == 1 ? outN : down * (outN - 1) + 1;
            int kn = k.length, c = 0;
            int[] sl = new int[kn];
            float[] wl = new float[kn];
            for (int t = 0; t < kn; t++) {
                if (k[t] == 0) continue;
                sl[c] = t - p0;
                wl[c++] = (float) k[t];
            }
            shift = Arrays.copyOf(sl, c);
            w = Arrays.copyOf(wl, c);
            // from every tap, zero or not, so that all terms of a kernel share one layout
            gapL = Math.max(0, p0);
            seg = gapL + n * up + Math.max(0, full - 1 + kn - 1 - p0 - (n * up - 1));
        }

        /** Rows of {@link Scratch#line} that {@link #apply} uses. */
        int scratchRows() {
            return shift.length + 1;
        }

        /** Their length for {@code batch} rows a call. */
        int scratchLength(int batch) {
            return batch * seg;
        }

        /** {@code dst[r][0, outN)} (=, or += when {@code acc}) the resampled row {@code src[r][0, n)}, {@code r < count}. */
        void apply(float[][] src, int count, float[][] dst, boolean acc, Scratch sc) {
            int taps = shift.length, len = count * seg;
            float[][] s = sc.line;
            float[] z = sc.layout(up, n, gapL, seg, len);
            for (int r = 0; r < count; r++) {
                float[] x = src[r];
                int base = r * seg + gapL;
                if (up == 1) System.arraycopy(x, 0, z, base, n);
                else for (int i = 0, at = base; i < n; i++, at += up) z[at] = x[i];
            }
            // F from the first row's first sample on: row r's outputs start at r * seg
            int fLen = (count - 1) * seg + full;
            for (int t = 0; t < taps; t++) shift(z, len, shift[t] + gapL, s[t], fLen);
            if (count == 1 && down == 1) {
                combine(s, w, taps, dst[0], outN, acc);
                return;
            }
            float[] f = s[taps];
            combine(s, w, taps, f, fLen, false);
            for (int r = 0; r < count; r++) {
                float[] d = dst[r];
                int base = r * seg;
                if (down == 1 && !acc) System.arraycopy(f, base, d, 0, outN);
                else if (acc) for (int o = 0, at = base; o < outN; o++, at += down) d[o] += f[at];
                else for (int o = 0, at = base; o < outN; o++, at += down) d[o] = f[at];
            }
        }
    }

    /** Along the rows (double path): output row {@code o} of {@code dst} (=, or += when {@code acc}) the taps' weighted input rows of {@code src} (rows of {@code width}). */
    private static void rows(double[] src, int width, Axis a, double[] dst, boolean acc) {
        for (int o = 0; o < a.outN; o++) {
            int d = o * width, base = o * a.taps, c = a.cnt[o];
            if (!acc) Arrays.fill(dst, d, d + width, 0.0);
            for (int t = 0; t < c; t++) {
                double w0 = a.w[base + t];
                int s0 = a.idx[base + t] * width;
                for (int j = 0; j < width; j++) dst[d + j] += w0 * src[s0 + j];
            }
        }
    }

    /** Along the columns (double path): for each of {@code nRows} rows of {@code width}, output column {@code o} (=, or +=) the taps' weighted samples. */
    private static void cols(double[] src, int nRows, int width, Axis a, double[] dst, boolean acc) {
        int ow = a.outN, taps = a.taps;
        for (int r = 0; r < nRows; r++) {
            int sb = r * width, db = r * ow;
            for (int o = 0; o < ow; o++) {
                int base = o * taps, c = a.cnt[o];
                double s = 0;
                for (int t = 0; t < c; t++) s += a.w[base + t] * src[sb + a.idx[base + t]];
                dst[db + o] = acc ? dst[db + o] + s : s;
            }
        }
    }
}
