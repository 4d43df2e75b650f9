package io.stylegan2.losses;

import io.stylegan2.core.ops.Upfirdn2d;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Laplacian-pyramid reconstruction loss (GLO's "Lap1", used by near-perfect inversion's L_recon).
 *
 * <p><b>Pyramid.</b> {@code f = [1, 4, 6, 4, 1] / 16} (separable 5x5 binomial). Gaussian levels
 * {@code G_0 = x}, {@code G_{j+1} = down(G_j)} where {@code down} is {@code Upfirdn2d.downsample2d(., f, 2)}
 * (filter, keep every 2nd pixel: {@code [N,C,H,W] -> [N,C,H/2,W/2]}). Laplacian levels
 * {@code L_j = G_j - up(G_{j+1})} for {@code j < J-1} with {@code up = Upfirdn2d.upsample2d(., f, 2)}
 * (zero insertion, same filter, gain 4), and {@code L_{J-1} = G_{J-1}}. So
 * {@code x = L_0 + up(L_1 + up(L_2 + ...))} exactly ({@link #reconstruct}). Borders are zero padded
 * (Upfirdn2d; SameDiff's reflect pad has wrong gradients in M2.1); this only changes which band the
 * border content falls in, never the reconstruction.
 *
 * <p><b>Loss.</b> {@code L = sum_j w_j * mean(|L_j(x) - L_j(y)|)} (L1) or
 * {@code sum_j w_j * mean((L_j(x) - L_j(y))^2)} (L2); the means are over {@code [N, C, H_j, W_j]},
 * weights default to {@code 2^(-2j)}. The pyramid is linear, so it is built once on {@code x - y}.
 *
 * <p>Inputs are {@code [N, C, H, W]} (dynamic shapes fine) with {@code H, W} divisible by
 * {@code 2^(J-1)}.
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread. {@link #filter()} returns a new array each call.
 */
public final class LaplacianPyramidLoss {
    /** The 5-tap binomial filter {@code [1, 4, 6, 4, 1] / 16} (separable, as a 1-D array). */
    private static final double[] TAPS = {1, 4, 6, 4, 1};

    private LaplacianPyramidLoss() {}

    /** The normalised 1-D filter {@code [5]} (Upfirdn2d applies it separably). */
    public static INDArray filter() {
        double s = 16;
        return org.nd4j.linalg.factory.Nd4j.createFromArray(TAPS[0] / s, TAPS[1] / s, TAPS[2] / s, TAPS[3] / s, TAPS[4] / s);
    }

    /** The loss between {@code x} and {@code y} ({@code [N, C, H, W]}), a scalar. */
    public static SDVariable loss(SDVariable x, SDVariable y, LaplacianPyramidConfig cfg) {
        return loss(x, y, cfg, -1);
    }

    /**
     * {@link #loss(SDVariable, SDVariable, LaplacianPyramidConfig)} for inputs with {@code channels}
     * channels (lets {@link Upfirdn2d} use its fast path; {@code < 1} = unknown).
     */
    public static SDVariable loss(SDVariable x, SDVariable y, LaplacianPyramidConfig cfg, long channels) {
        List<SDVariable> lap = laplacian(x.sub(y), cfg.levels(), channels);
        SDVariable total = null;
        for (int j = 0; j < lap.size(); j++) {
            SDVariable d = lap.get(j);
            SDVariable term = cfg.norm() == LaplacianPyramidConfig.Norm.L1 ? d.getSameDiff().math().abs(d).mean() : d.mul(d).mean();
            term = term.mul(cfg.weights().get(j));
            total = total == null ? term : total.add(term);
        }
        return total;
    }

    /** {@link #loss} with {@link LaplacianPyramidConfig#defaultsFor} {@code resolution}. */
    public static SDVariable loss(SDVariable x, SDVariable y, int resolution) {
        return loss(x, y, LaplacianPyramidConfig.defaultsFor(resolution));
    }

    /** Gaussian levels {@code G_0 = x, ..., G_{J-1}} (level j is {@code [N, C, H/2^j, W/2^j]}). */
    public static List<SDVariable> gaussian(SDVariable x, int levels) {
        return gaussian(x, levels, -1);
    }

    /** {@link #gaussian(SDVariable, int)} for {@code channels} channels ({@code < 1} = unknown). */
    public static List<SDVariable> gaussian(SDVariable x, int levels, long channels) {
        if (levels < 1) throw new IllegalArgumentException("levels must be >= 1, got " + levels);
        INDArray f = filter();
        List<SDVariable> g = new ArrayList<>();
        g.add(x);
        for (int j = 1; j < levels; j++) g.add(Upfirdn2d.downsample2d(g.get(j - 1), f, 2, new int[] {0}, channels));
        return Collections.unmodifiableList(g);
    }

    /** Laplacian levels {@code L_0, ..., L_{J-1}} (the last is the coarsest Gaussian). */
    public static List<SDVariable> laplacian(SDVariable x, int levels) {
        return laplacian(x, levels, -1);
    }

    /** {@link #laplacian(SDVariable, int)} for {@code channels} channels ({@code < 1} = unknown). */
    public static List<SDVariable> laplacian(SDVariable x, int levels, long channels) {
        List<SDVariable> g = gaussian(x, levels, channels);
        INDArray f = filter();
        List<SDVariable> l = new ArrayList<>();
        for (int j = 0; j < levels - 1; j++) l.add(g.get(j).sub(Upfirdn2d.upsample2d(g.get(j + 1), f, 2, new int[] {0}, channels)));
        l.add(g.get(levels - 1));
        return Collections.unmodifiableList(l);
    }

    /** Inverse of {@link #laplacian}: {@code G_{J-1} = L_{J-1}}, {@code G_j = L_j + up(G_{j+1})}; returns {@code G_0}. */
    public static SDVariable reconstruct(List<SDVariable> laplacian) {
        INDArray f = filter();
        SDVariable g = laplacian.get(laplacian.size() - 1);
        for (int j = laplacian.size() - 2; j >= 0; j--) g = laplacian.get(j).add(Upfirdn2d.upsample2d(g, f, 2, new int[] {0}));
        return g;
    }
}
