package io.stylegan2.stylegan;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The one place that validates latent shapes and broadcasts a single {@code w} to W+: every
 * generator entry point, inversion latent and editing path goes through it.
 *
 * <p>W+ is {@code [N, num_ws, w_dim]}; a {@code w} ({@code [N, w_dim]}) stands for the W+ code whose
 * rows are all {@code w} (NVlabs' mapping output before truncation).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (a W+ input may
 * be returned as it is, not copied).
 */
public final class WPlus {
    private WPlus() {}

    /** {@code w [N, w_dim]} repeated to {@code [N, num_ws, w_dim]} (a new array, same data type). */
    public static INDArray broadcast(INDArray w, int numWs) {
        if (w.rank() != 2) throw new IllegalArgumentException("w must be [N, w_dim], got " + Arrays.toString(w.shape()));
        long n = w.size(0), d = w.size(1);
        return w.reshape(n, 1, d).repeat(1, numWs).reshape(n, numWs, d).dup('c');
    }

    /**
     * A batch of latents as W+ {@code [N, num_ws, w_dim]}: {@code [N, w_dim]} is broadcast,
     * {@code [N, num_ws, w_dim]} is returned as it is.
     *
     * @param what names the input in errors (e.g. {@code "ws"}, a file name)
     */
    public static INDArray batch(INDArray ws, GeneratorConfig cfg, String what) {
        int numWs = cfg.numWs(), wDim = cfg.wDim();
        if (ws.rank() == 2 && ws.size(1) == wDim) return broadcast(ws, numWs);
        if (ws.rank() == 3 && ws.size(1) == numWs && ws.size(2) == wDim) return ws;
        throw new IllegalArgumentException(what + ": shape " + Arrays.toString(ws.shape()) + ", expected [N, " + numWs + ", " + wDim
                + "] (W+) or [N, " + wDim + "] (w)");
    }

    /**
     * One latent as W+ {@code [1, num_ws, w_dim]}: {@code [w_dim]} and {@code [1, w_dim]} are
     * broadcast to every row, {@code [num_ws, w_dim]} and {@code [1, num_ws, w_dim]} are W+ codes.
     * Anything else (several latents included) is an error naming {@code what}.
     */
    public static INDArray one(INDArray latent, GeneratorConfig cfg, String what) {
        int numWs = cfg.numWs(), wDim = cfg.wDim();
        long[] s = latent.shape();
        if (s.length == 1 && s[0] == wDim) return broadcast(latent.reshape(1, wDim), numWs);
        if (s.length == 2 && s[0] == 1 && s[1] == wDim) return broadcast(latent, numWs);
        if (s.length == 2 && s[0] == numWs && s[1] == wDim) return latent.reshape(1, numWs, wDim).dup('c');
        if (s.length == 3 && s[0] == 1 && s[1] == numWs && s[2] == wDim) return latent;
        throw new IllegalArgumentException(what + ": shape " + Arrays.toString(s) + ", expected one latent: [1, " + numWs + ", " + wDim
                + "], [" + numWs + ", " + wDim + "] (W+) or [" + wDim + "] (w)");
    }

    /** True when every row of {@code ws [N, num_ws, w_dim]} equals the first (a W-space code). */
    public static boolean isBroadcast(INDArray ws) {
        if (ws.rank() != 3) return false;
        INDArray first = ws.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        return ws.sub(first).amaxNumber().doubleValue() == 0;
    }

    /**
     * Style mixing (NVlabs {@code style_mixing.py}): {@code base} with its rows {@code [start, end)}
     * replaced by those of {@code styles}; both {@code [N, num_ws, w_dim]} of the same shape (a copy).
     */
    public static INDArray mix(INDArray base, INDArray styles, int start, int end) {
        if (base.rank() != 3 || !java.util.Arrays.equals(base.shape(), styles.shape()))
            throw new IllegalArgumentException("style mixing needs two W+ batches of one shape, got " + Arrays.toString(base.shape()) + " and " + Arrays.toString(styles.shape()));
        if (start < 0 || end > base.size(1) || start >= end)
            throw new IllegalArgumentException("style rows [" + start + ", " + end + ") outside the " + base.size(1) + " W+ rows");
        INDArray out = base.dup('c');
        org.nd4j.linalg.indexing.INDArrayIndex rows = org.nd4j.linalg.indexing.NDArrayIndex.interval(start, end);
        out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), rows, org.nd4j.linalg.indexing.NDArrayIndex.all())
                .assign(styles.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), rows, org.nd4j.linalg.indexing.NDArrayIndex.all()));
        return out;
    }
}
