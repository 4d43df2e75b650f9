package io.stylegan2.metrics;

import io.stylegan2.core.MemoryPolicy;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * Improved precision and recall (Kynkaanniemi et al. 2019), as stylegan2-ada-pytorch's
 * {@code metrics/precision_recall.py} computes them: every point of a manifold set gets a ball whose
 * radius is the Euclidean distance to its {@code k}-th nearest neighbour in that set (itself
 * excluded: the {@code k+1}-th smallest distance, the zero self-distance counted); precision is the
 * fraction of generated features inside at least one ball of the real set, recall the fraction of
 * real features inside at least one ball of the generated set. NVlabs uses {@code k = 3} and VGG16
 * features; the feature space here is whatever {@link FeatureExtractor} is given, and the result
 * carries its name.
 *
 * <p>Differences: distances are computed in float64 (NVlabs rounds features and radii to float16,
 * which can flip points lying on a ball's edge). Hand-written because no JVM library offers the
 * metric; the work is two blocked distance matrices ({@code ||a||^2 + ||b||^2 - 2 a.b}), {@code O(N^2 D)}.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread.
 */
public final class PrecisionRecall {
    private PrecisionRecall() {}

    /** NVlabs' neighbourhood size. */
    public static final int DEFAULT_K = 3;
    private static final int BLOCK = 1024;

    /** {@code precision}: generated inside the real manifold; {@code recall}: real inside the generated manifold. */
    public record Result(String extractor, double precision, double recall, int k, long numReal, long numGenerated) {}

    /** Precision and recall of generated features {@code [N_g, D]} against real features {@code [N_r, D]}. */
    public static Result compute(String extractorName, INDArray real, INDArray generated, int k) {
        if (real.rank() != 2 || generated.rank() != 2 || real.size(1) != generated.size(1))
            throw new IllegalArgumentException("precision/recall: features must be [N, D] with the same D, got real " + Arrays.toString(real.shape())
                    + " and generated " + Arrays.toString(generated.shape()));
        if (k < 1 || real.size(0) <= k || generated.size(0) <= k)
            throw new IllegalArgumentException("precision/recall: k = " + k + " needs more than k samples per set (real " + real.size(0) + ", generated " + generated.size(0) + ")");
        INDArray r = real.castTo(DataType.DOUBLE), g = generated.castTo(DataType.DOUBLE);
        return new Result(extractorName, coverage(r, g, k), coverage(g, r, k), k, r.size(0), g.size(0));
    }

    /** Fraction of {@code probes} inside at least one k-NN ball of {@code manifold}. */
    static double coverage(INDArray manifold, INDArray probes, int k) {
        double[] radius = kthNeighbourDistances(manifold, k);
        INDArray rad = Nd4j.createFromArray(radius).reshape(1, radius.length);
        long inside = 0, n = probes.size(0);
        for (long i = 0; i < n; i += BLOCK) {
            INDArray d = distances(rows(probes, i, Math.min(n, i + BLOCK)), manifold);
            // a probe is inside when d(probe, j) <= radius_j for some j
            INDArray within = d.subiRowVector(rad).lte(0.0);
            inside += within.castTo(DataType.DOUBLE).max(1).sumNumber().longValue();
            MemoryPolicy.step();
        }
        return (double) inside / n;
    }

    /** Distance of each row to its k-th nearest other row (the (k+1)-th smallest, self included). */
    static double[] kthNeighbourDistances(INDArray x, int k) {
        int n = (int) x.size(0);
        double[] out = new double[n];
        for (int i = 0; i < n; i += BLOCK) {
            int hi = Math.min(n, i + BLOCK);
            double[][] d = distances(rows(x, i, hi), x).toDoubleMatrix();
            for (int row = 0; row < d.length; row++) {
                d[row][i + row] = 0;   // exact zero self-distance (the expansion rounds)
                out[i + row] = kthSmallest(d[row], k + 1);
            }
            MemoryPolicy.step();
        }
        return out;
    }

    /** The {@code k}-th smallest value (1-based) of {@code v}; {@code v} is reordered. */
    static double kthSmallest(double[] v, int k) {
        Arrays.sort(v);
        return v[k - 1];
    }

    /** Euclidean distances {@code [rows(a), rows(b)]}, float64, clamped at 0 before the root. */
    static INDArray distances(INDArray a, INDArray b) {
        INDArray aa = a.mul(a).sum(true, 1), bb = b.mul(b).sum(true, 1).reshape(1, b.size(0));
        INDArray d2 = a.mmul(b.transpose()).muli(-2).addiColumnVector(aa).addiRowVector(bb);
        return Transforms.sqrt(Transforms.max(d2, 0.0, false), false);
    }

    private static INDArray rows(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }
}
