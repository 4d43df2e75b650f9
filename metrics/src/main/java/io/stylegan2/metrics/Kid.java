package io.stylegan2.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.SplittableRandom;

/**
 * Kernel Inception Distance (Binkowski et al. 2018): the unbiased MMD^2 estimator with the
 * polynomial kernel {@code k(x, y) = (x.y / D + 1)^3} (degree 3, gamma 1/D, coef 1), averaged over
 * random subsets, exactly as stylegan2-ada-pytorch's {@code kernel_inception_distance.py}: each of
 * {@code numSubsets} (default 100) subsets draws {@code m = min(N_a, N_b, maxSubsetSize)} (default
 * 1000) rows of each set without replacement, and
 * {@code MMD^2 = (sum_{i!=j} k(a_i,a_j) + k(b_i,b_j)) / (m (m-1)) - 2 sum_{i,j} k(a_i,b_j) / m^2}.
 * Subsets are drawn with {@link SplittableRandom} from the given seed (not numpy's generator; pass
 * explicit indices to reproduce a Python run). In float64.
 *
 * <p>Called "KID" only with the pytorch-fid Inception features; otherwise "KD-&lt;extractor&gt;".
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the image
 * overload is as thread-safe as its extractor).
 */
public final class Kid {
    private Kid() {}

    public static final int DEFAULT_SUBSETS = 100;
    public static final int DEFAULT_MAX_SUBSET_SIZE = 1000;

    /**
     * @param value      mean MMD^2 over subsets (can be slightly negative: the estimator is unbiased)
     * @param std        standard deviation of the per-subset values
     * @param subsetSize m
     */
    public record Result(String metric, String extractor, double value, double std, int numSubsets, int subsetSize) {}

    public static String metricName(String extractorName) {
        return InceptionV3Features.FID_NAME.equals(extractorName) ? "KID" : "KD-" + extractorName;
    }

    /** Unbiased MMD^2 of two equally sized feature sets {@code [m,D]} with the cubic polynomial kernel. */
    public static double mmd2(INDArray a, INDArray b) {
        INDArray x = a.castTo(DataType.DOUBLE), y = b.castTo(DataType.DOUBLE);
        long m = x.size(0), d = x.size(1);
        if (y.size(0) != m || y.size(1) != d) throw new IllegalArgumentException("subsets must have the same shape");
        INDArray kxx = kernel(x, x, d), kyy = kernel(y, y, d), kxy = kernel(x, y, d);
        double sxx = kxx.sumNumber().doubleValue() - FrechetDistance.trace(kxx);
        double syy = kyy.sumNumber().doubleValue() - FrechetDistance.trace(kyy);
        return (sxx + syy) / (m * (m - 1.0)) - 2.0 * kxy.sumNumber().doubleValue() / ((double) m * m);
    }

    private static INDArray kernel(INDArray x, INDArray y, long d) {
        INDArray k = x.mmul(y.transpose()).divi(d).addi(1.0);
        return k.mul(k).muli(k);
    }

    /** KID over random subsets of two feature sets {@code [N_a,D]}, {@code [N_b,D]}. */
    public static Result compute(String extractorName, INDArray a, INDArray b, int numSubsets, int maxSubsetSize, long seed) {
        int m = (int) Math.min(Math.min(a.size(0), b.size(0)), maxSubsetSize);
        if (m < 2) throw new IllegalArgumentException("need at least 2 samples per set");
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] sa = new int[numSubsets][], sb = new int[numSubsets][];
        for (int s = 0; s < numSubsets; s++) {
            sa[s] = sample(rnd, (int) a.size(0), m);
            sb[s] = sample(rnd, (int) b.size(0), m);
        }
        return compute(extractorName, a, b, sa, sb);
    }

    /**
     * KID between two image sets ({@code [N,3,H,W]} in [-1, 1]), features extracted in batches of
     * {@code batchSize}; default subsets (100 of at most 1000).
     */
    public static Result compute(FeatureExtractor extractor, INDArray imagesA, INDArray imagesB, int batchSize, long seed) {
        return compute(extractor.name(), FrechetDistance.features(extractor, imagesA, batchSize),
                FrechetDistance.features(extractor, imagesB, batchSize), seed);
    }

    /** Defaults: 100 subsets of at most 1000. */
    public static Result compute(String extractorName, INDArray a, INDArray b, long seed) {
        return compute(extractorName, a, b, DEFAULT_SUBSETS, DEFAULT_MAX_SUBSET_SIZE, seed);
    }

    /** KID over explicit subsets (row indices, one array per subset, all of the same length). */
    public static Result compute(String extractorName, INDArray a, INDArray b, int[][] subsetsA, int[][] subsetsB) {
        if (subsetsA.length != subsetsB.length || subsetsA.length == 0) throw new IllegalArgumentException("subset lists differ");
        double[] x = Pixels.doubles(a), y = Pixels.doubles(b);
        int d = (int) a.size(1);
        if (b.size(1) != d) throw new IllegalArgumentException("feature sizes differ: " + d + " vs " + b.size(1));
        double[] v = new double[subsetsA.length];
        for (int s = 0; s < v.length; s++)
            v[s] = mmd2(rows(x, d, subsetsA[s]), rows(y, d, subsetsB[s]));
        double mean = Mse.mean(v), var = 0;
        for (double e : v) var += (e - mean) * (e - mean);
        return new Result(metricName(extractorName), extractorName, mean, Math.sqrt(var / v.length), v.length, subsetsA[0].length);
    }

    private static INDArray rows(double[] x, int d, int[] idx) {
        double[] out = new double[idx.length * d];
        for (int i = 0; i < idx.length; i++) System.arraycopy(x, idx[i] * d, out, i * d, d);
        return Nd4j.create(out, new long[]{idx.length, d}, DataType.DOUBLE);
    }

    /** m distinct indices of 0..n-1 (partial Fisher-Yates). */
    static int[] sample(SplittableRandom rnd, int n, int m) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = 0; i < m; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return java.util.Arrays.copyOf(p, m);
    }
}
