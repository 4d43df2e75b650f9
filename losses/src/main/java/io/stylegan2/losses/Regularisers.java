package io.stylegan2.losses;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.ops.Upfirdn2d;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * Latent, noise and feature regularisers of the inversion methods. Each builder returns a scalar.
 * <ul>
 *   <li>{@link #noise}: the NVlabs projector's noise regulariser, with {@link #normaliseNoise} (in place, after each step);</li>
 *   <li>{@link #wNorm}: {@code ||w - w_avg||^2} per code row, mean or sum over rows, or PadInv's Frobenius norm per code;</li>
 *   <li>{@link #deltaToFirst} / {@link #deltaToFirstNorm}: e4e's / SAM's delta regulariser {@code sum_{i>=1} ||w_i - w_0||};</li>
 *   <li>{@link #featureOffset}: SAM's F-regulariser {@code mean(delta^2)}.</li>
 * </ul>
 * SAM's Gaussian prior is {@link GaussianPrior}; PTI's locality regulariser is {@link Locality}.
 *
 * <p>Building a term installs the {@link Engine} on first use, as every op of the library does
 * (its stdout filter keeps SameDiff's "Added differentiated op" lines off {@code System.out}).
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread. {@link #normaliseNoise} updates its arrays in place, so no other thread
 * may use them meanwhile.
 */
public final class Regularisers {
    /** How per-row values are combined. */
    public enum Reduction {
        /** The mean over the batch and rows of each row's squared norm. */
        MEAN,
        /** The sum over the batch and rows of each row's squared norm. */
        SUM,
        /**
         * Each code's Frobenius norm over all its rows (not squared), then the mean over the batch:
         * PadInv's {@code mean ||W+ - w_avg||_F}. Computed as {@code sqrt(sum + 1e-12)}, so its
         * gradient at {@code w_avg} is 0 (PyTorch's norm gives 0 there too) instead of NaN.
         */
        FROBENIUS
    }

    private Regularisers() {}

    // ------------------------------------------------------------------ (a) noise (NVlabs projector)

    /**
     * Noise regulariser of one noise map {@code n [N, C, H, W]} (NVlabs: {@code [1, 1, H, W]}):
     * <pre>
     * reg = 0
     * loop: reg += mean(n * roll(n, 1, x))^2 + mean(n * roll(n, 1, y))^2
     *       if H &lt;= 8: stop
     *       n = avg_pool_2x2(n); H /= 2, W /= 2
     * </pre>
     * Means are over all elements of {@code n}; the sizes of the map are passed explicitly (op
     * outputs have no static shape). {@code roll} is {@link #roll} (slice + concat, exact
     * gradients); pooling is {@code Upfirdn2d.downsample2d} with the 2x2 box filter (exactly
     * {@code avg_pool2d(kernel_size=2)} for even sizes). The projector weights the sum over maps by 1e5.
     */
    public static SDVariable noise(SDVariable n, int height, int width) {
        INDArray box = Upfirdn2d.setupFilter(1, 1);
        SDVariable reg = null;
        int h = height, w = width;
        while (true) {
            SDVariable ax = n.mul(roll(n, 1, 3, w)).mean();
            SDVariable ay = n.mul(roll(n, 1, 2, h)).mean();
            SDVariable t = ax.mul(ax).add(ay.mul(ay));
            reg = reg == null ? t : reg.add(t);
            if (h <= 8) break;
            if (h % 2 != 0 || w % 2 != 0) throw new IllegalArgumentException("noise regulariser: map " + h + "x" + w + " cannot be 2x2-pooled");
            n = Upfirdn2d.downsample2d(n, box, 2, new int[] {0});
            h /= 2;
            w /= 2;
        }
        return reg;
    }

    /**
     * Sum of {@link #noise(SDVariable, int, int)} over square noise maps keyed by layer id
     * ({@code b8.conv0}, ...; the side comes from {@link SynthesisNetwork#resolutionOf}).
     */
    public static SDVariable noise(Map<String, SDVariable> noiseByLayer) {
        if (noiseByLayer.isEmpty()) throw new IllegalArgumentException("noise regulariser: no noise maps");
        SDVariable reg = null;
        for (Map.Entry<String, SDVariable> e : noiseByLayer.entrySet()) {
            int r = SynthesisNetwork.resolutionOf(e.getKey());
            SDVariable t = noise(e.getValue(), r, r);
            reg = reg == null ? t : reg.add(t);
        }
        return reg;
    }

    /**
     * {@code torch.roll(x, shift, axis)} for a rank-4 {@code x} whose size along {@code axis} is
     * {@code size}: {@code out[i] = x[(i - shift) mod size]}, built from two strided slices and a
     * concat (so gradients are exact).
     */
    public static SDVariable roll(SDVariable x, int shift, int axis, long size) {
        Engine.get();
        if (axis < 0 || axis > 3) throw new IllegalArgumentException("roll: axis must be 0..3 of a rank-4 tensor, got " + axis);
        long s = Math.floorMod(shift, size);
        if (s == 0) return x;
        SDVariable tail = slice(x, axis, size - s, size), head = slice(x, axis, 0, size - s);
        return x.getSameDiff().concat(axis, tail, head);
    }

    /** {@code x[..., from:to, ...]} along {@code axis} of a rank-4 tensor. */
    private static SDVariable slice(SDVariable x, int axis, long from, long to) {
        long[] b = new long[4], e = new long[4], st = {1, 1, 1, 1};
        b[axis] = from;
        e[axis] = to;
        int mask = 0xF & ~(1 << axis);
        return x.getSameDiff().stridedSlice(x, b, e, st, mask, mask, 0, 0, 0);
    }

    /**
     * The projector's step after each optimiser update, in place: {@code n = n - mean(n)}, then
     * {@code n = n / sqrt(mean(n^2))} (population std), over all elements of the array.
     */
    public static void normaliseNoise(INDArray n) {
        double mean = n.meanNumber().doubleValue();
        n.subi(mean);
        double rms = Math.sqrt(n.castTo(DataType.DOUBLE).mul(n.castTo(DataType.DOUBLE)).meanNumber().doubleValue());
        if (rms > 0) n.divi(rms);
    }

    /** {@link #normaliseNoise(INDArray)} on every map. */
    public static void normaliseNoise(Map<String, INDArray> maps) {
        maps.values().forEach(Regularisers::normaliseNoise);
    }

    // ------------------------------------------------------------------ (b) W norm

    /**
     * {@code ||w - w_avg||^2} per code row, over the last axis ({@code w_dim}), then the mean
     * ({@link Reduction#MEAN}: over the batch and the {@code num_ws} rows) or the sum over rows.
     *
     * @param ws   {@code [N, w_dim]} or {@code [N, num_ws, w_dim]}
     * @param wAvg {@code [w_dim]} (cast to the type of {@code ws})
     */
    public static SDVariable wNorm(SDVariable ws, INDArray wAvg, Reduction reduction) {
        Engine.get();
        SDVariable d = ws.sub(ws.getSameDiff().constant(wAvg.castTo(ws.dataType()).reshape(wAvg.length())));
        SDVariable rows = d.mul(d).sum(-1);
        if (reduction == Reduction.FROBENIUS) {
            SDVariable perCode = ws.getShape() != null && ws.getShape().length == 2 ? rows : rows.sum(-1);
            return ws.getSameDiff().math().sqrt(perCode.add(1e-12)).mean();
        }
        return reduction == Reduction.SUM ? rows.sum() : rows.mean();
    }

    // ------------------------------------------------------------------ (c) delta to the first code

    /**
     * {@code mean_n sum_{i>=1} ||w_{n,i} - w_{n,0}||^2} (squared L2 per row; smooth everywhere).
     *
     * @param ws {@code [N, num_ws, w_dim]}
     */
    public static SDVariable deltaToFirst(SDVariable ws) {
        return rowSquares(ws).sum(1).mean();
    }

    /**
     * e4e's delta regulariser (SAM's "delta term"): {@code mean_n sum_{i>=1} ||w_{n,i} - w_{n,0}||_2}
     * (plain norm), computed per row as {@code s / sqrt(s + eps)} with {@code s = ||d||^2}: 0 with a
     * zero (not NaN) gradient at {@code d = 0} (all rows equal, the usual start), and within
     * {@code eps / (2 ||d||)} of {@code ||d||} elsewhere; {@code eps} about 1e-12.
     */
    public static SDVariable deltaToFirstNorm(SDVariable ws, double eps) {
        SameDiff sd = ws.getSameDiff();
        SDVariable s = rowSquares(ws);
        return s.div(sd.math().sqrt(s.add(eps))).sum(1).mean();
    }

    /** {@code ||w_{n,i} - w_{n,0}||^2} as {@code [N, num_ws]} (row 0 is 0). */
    private static SDVariable rowSquares(SDVariable ws) {
        Engine.get();
        SDVariable w0 = ws.getSameDiff().stridedSlice(ws, new long[] {0, 0, 0}, new long[] {0, 1, 0}, new long[] {1, 1, 1}, 5, 5, 0, 0, 0);
        SDVariable d = ws.sub(w0);
        return d.mul(d).sum(2);
    }

    // ------------------------------------------------------------------ (f) feature offsets

    /** SAM's F-regulariser {@code mean(delta^2)} (MSE to the zero initialisation), a scalar. */
    public static SDVariable featureOffset(SDVariable delta) {
        Engine.get();
        return delta.mul(delta).mean();
    }
}
