package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.linalg.SymmetricEigen;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * GANSpace (Härkönen et al. 2020): PCA of W. {@code samples} latents {@code w = mapping(z)} with
 * {@code z ~ N(0, I)} drawn from {@code java.util.Random(seed)} and no truncation; the covariance
 * (float64, centred, divided by N-1) is eigen-decomposed by {@link SymmetricEigen} (LAPACK); the top
 * {@code k} eigenvectors become unit W directions {@code pc0, pc1, ...} whose {@link Direction#scale()}
 * is the component's standard deviation {@code sqrt(eigenvalue)}, so an edit strength is in
 * sigmas (strength 2 moves 2 standard deviations along the component, as GANSpace's sliders).
 * Each direction edits the rows of the given range. Provenance params: {@code samples},
 * {@code seed}, {@code component}, {@code eigenvalue}, {@code stdev}, {@code explained_variance}
 * (fraction of the total variance).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. {@link Result}
 * is shallowly immutable: its list and arrays are not copied, so share it only if no thread mutates
 * them.
 */
public final class GanSpace {
    private GanSpace() {}

    public static final int DEFAULT_SAMPLES = 10_000;
    public static final int DEFAULT_COMPONENTS = 10;

    /** Result of the PCA: directions plus the sample mean of w ({@code [w_dim]}, float64). */
    public record Result(List<Direction> directions, INDArray mean, double[] eigenvalues) {}

    /** Samples w, then {@link #pca}. */
    public static Result compute(Generator g, int components, int samples, long seed, LayerRange rows) {
        if (samples < 2) throw new IllegalArgumentException("GANSpace needs at least 2 samples, got " + samples);
        INDArray w = g.sampleW(samples, seed);
        MemoryPolicy.step();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("samples", samples);
        params.put("seed", seed);
        params.put("truncation_psi", 1.0);
        return pca(w, components, rows, params);
    }

    /**
     * PCA of given latents {@code w [N, w_dim]}.
     *
     * @param extraParams put into every direction's provenance (e.g. how {@code w} was sampled)
     */
    public static Result pca(INDArray w, int components, LayerRange rows, Map<String, Object> extraParams) {
        if (w.rank() != 2 || w.size(0) < 2) throw new IllegalArgumentException("PCA needs w [N >= 2, w_dim], got " + java.util.Arrays.toString(w.shape()));
        int n = (int) w.size(0), d = (int) w.size(1);
        if (components < 1 || components > d) throw new IllegalArgumentException("components must be in [1, w_dim=" + d + "], got " + components);
        INDArray x = w.castTo(DataType.DOUBLE).dup('c');
        INDArray mean = x.mean(0);
        x.subiRowVector(mean);
        INDArray cov = x.transpose().mmul(x).divi(n - 1);
        SymmetricEigen.Result eig = SymmetricEigen.decompose(cov);
        double total = 0;
        for (double v : eig.values()) total += Math.max(v, 0);
        List<Direction> out = new ArrayList<>();
        for (int i = 0; i < components; i++) {
            double ev = Math.max(eig.values()[i], 0);
            double sd = Math.sqrt(ev);
            Map<String, Object> p = new LinkedHashMap<>(extraParams == null ? Map.of() : extraParams);
            p.put("component", i);
            p.put("eigenvalue", ev);
            p.put("stdev", sd);
            p.put("explained_variance", total > 0 ? ev / total : 0.0);
            out.add(new Direction("pc" + i, LatentSpace.W, Nd4j.createFromArray(eig.vectors()[i]), rows.start(), rows.end(),
                    sd > 0 ? sd : 1.0, new Provenance("ganspace", p)));
        }
        return new Result(out, mean, eig.values());
    }
}
