package io.stylegan2.inversion.subspace;

import io.stylegan2.core.linalg.SymmetricEigen;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The standard subspace-clustering post-processing of a self-expression matrix (SSC / deep subspace
 * clustering's {@code thrC} + {@code post_proC}, as PmSFC's {@code discover_subspace.py} runs it), then
 * spectral clustering with the discretised assignment of Yu and Shi (scikit-learn's
 * {@code assign_labels="discretize"}):
 * <ol>
 *   <li>keep, per column, the largest-magnitude entries until they reach {@code rho} of the column's L1 mass;</li>
 *   <li>symmetrise {@code C <- (C + C^T) / 2};</li>
 *   <li>rank {@code r = d K + 1} truncation: the {@code r} eigenpairs of largest |eigenvalue| (the SVD of a
 *       symmetric matrix), {@code U sqrt(|S|)} with L2-normalised rows;</li>
 *   <li>{@code Z = U U^T} with negative entries set to 0, {@code L = Z^power}, divided by its maximum, symmetrised;</li>
 *   <li>spectral embedding: the {@code K} leading eigenvectors of {@code D^-1/2 L D^-1/2}, scaled by {@code D^-1/2};</li>
 *   <li>discretisation: rows normalised, a rotation started from mutually far rows, then alternately the
 *       discrete assignment and the best rotation (an SVD) until the normalised cut stops improving;</li>
 *   <li>labels renumbered by cluster size, largest first (the released code's relabel loop skips the
 *       last cluster; this one does not).</li>
 * </ol>
 * The eigenproblems and SVDs are LAPACK's ({@link SymmetricEigen}: {@code dsyev}; ND4J's {@code gesvd}).
 * The discretisation loop is hand-written: no JVM library has it (it is 40 lines of scikit-learn).
 *
 * Where scikit-learn makes one attempt, this keeps the lowest normalised cut of 30 random starts.
 *
 * <p><b>Thread safety:</b> Stateless; safe from any thread.
 */
public final class SubspaceClustering {
    private SubspaceClustering() {}

    /** Settings; PmSFC's defaults are {@code K = 6, d = 6, rho = 0.2, power = 3} (its README uses power 2). */
    public record Settings(int clusters, int subspaceDim, double rho, int power, long seed) {
        public Settings {
            if (clusters < 2) throw new IllegalArgumentException("clusters must be >= 2, got " + clusters);
            if (subspaceDim < 1) throw new IllegalArgumentException("subspace dimension must be >= 1, got " + subspaceDim);
            if (!(rho > 0 && rho <= 1)) throw new IllegalArgumentException("rho must be in (0, 1], got " + rho);
            if (power < 1) throw new IllegalArgumentException("power must be >= 1, got " + power);
        }

        public static Settings defaults() {
            return new Settings(6, 6, 0.2, 3, 0);
        }
    }

    /**
     * Channel labels {@code 0..K-1} (0 the largest cluster) of a self-expression matrix {@code c [C, C]}.
     *
     * @throws IllegalArgumentException when {@code d K + 1 > C} or K exceeds C
     */
    public static int[] cluster(INDArray c, Settings s) {
        int n = (int) c.size(0);
        if (c.rank() != 2 || c.size(1) != n) throw new IllegalArgumentException("self-expression matrix must be square, got " + Arrays.toString(c.shape()));
        int r = s.subspaceDim() * s.clusters() + 1;
        if (r > n) throw new IllegalArgumentException("rank d*K+1 = " + r + " exceeds the " + n + " channels; lower the subspace dimension or the clusters");
        double[][] m = c.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] t = threshold(m, s.rho());
        double[][] sym = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) sym[i][j] = 0.5 * (t[i][j] + t[j][i]);
        double[][] affinity = affinity(sym, r, s.power());
        double[][] embedding = spectralEmbedding(affinity, s.clusters());
        return bySize(discretize(embedding, s.seed()), s.clusters());
    }

    /** {@code thrC}: per column, the largest |entries| until their sum reaches {@code rho} of the column's L1 mass; the rest 0. */
    static double[][] threshold(double[][] c, double rho) {
        int n = c.length;
        double[][] out = new double[n][n];
        for (int j = 0; j < n; j++) {
            final int col = j;
            Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble(i -> -Math.abs(c[i][col])));
            double mass = 0;
            for (int i = 0; i < n; i++) mass += Math.abs(c[i][j]);
            double kept = 0;
            for (int k = 0; k < n && kept < rho * mass; k++) {
                int i = order[k];
                out[i][j] = c[i][j];
                kept += Math.abs(c[i][j]);
            }
        }
        return out;
    }

    /** Steps 3 and 4: the rank-r embedding's non-negative inner products to the power, scaled to max 1, symmetric. */
    static double[][] affinity(double[][] sym, int r, int power) {
        int n = sym.length;
        SymmetricEigen.Result e = SymmetricEigen.decompose(Nd4j.createFromArray(sym), true);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> -Math.abs(e.values()[i])));
        double[][] u = new double[n][r];
        for (int k = 0; k < r; k++) {
            double scale = Math.sqrt(Math.abs(e.values()[order[k]]));
            for (int i = 0; i < n; i++) u[i][k] = e.vectors()[order[k]][i] * scale;
        }
        for (double[] row : u) {
            double norm = Math.sqrt(Arrays.stream(row).map(x -> x * x).sum());
            if (norm > 0) for (int k = 0; k < r; k++) row[k] /= norm;
        }
        double[][] l = new double[n][n];
        double max = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double z = 0;
                for (int k = 0; k < r; k++) z += u[i][k] * u[j][k];
                l[i][j] = Math.pow(Math.max(z, 0), power);
                max = Math.max(max, l[i][j]);
            }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) l[i][j] /= max > 0 ? max : 1;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) out[i][j] = 0.5 * (l[i][j] + l[j][i]);
        return out;
    }

    /** The {@code k} leading eigenvectors of the normalised affinity {@code D^-1/2 A D^-1/2}, each scaled by {@code D^-1/2}: {@code [n][k]}. */
    static double[][] spectralEmbedding(double[][] a, int k) {
        int n = a.length;
        double[] dInv = new double[n];
        for (int i = 0; i < n; i++) {
            double d = Arrays.stream(a[i]).sum();
            dInv[i] = d > 0 ? 1 / Math.sqrt(d) : 0;
        }
        double[][] norm = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) norm[i][j] = a[i][j] * dInv[i] * dInv[j];
        SymmetricEigen.Result e = SymmetricEigen.decompose(Nd4j.createFromArray(norm), true);   // descending
        double[][] out = new double[n][k];
        for (int c = 0; c < k; c++) for (int i = 0; i < n; i++) out[i][c] = e.vectors()[c][i] * dInv[i];
        return out;
    }

    /** Yu and Shi's discretisation of a spectral embedding {@code [n][k]} into labels {@code 0..k-1}. */
    static int[] discretize(double[][] vectors, long seed) {
        int n = vectors.length, k = vectors[0].length;
        double[][] v = new double[n][k];
        for (int c = 0; c < k; c++) {   // columns to norm sqrt(n), first entry's sign fixed; then unit rows
            double norm = 0;
            for (double[] row : vectors) norm += row[c] * row[c];
            norm = Math.sqrt(norm);
            double sign = vectors[0][c] < 0 ? 1 : -1;
            for (int i = 0; i < n; i++) v[i][c] = norm > 0 ? sign * vectors[i][c] / norm * Math.sqrt(n) : 0;
        }
        for (int i = 0; i < n; i++) {
            double norm = Math.sqrt(Arrays.stream(v[i]).map(x -> x * x).sum());
            for (int c = 0; c < k; c++) v[i][c] = norm > 0 ? v[i][c] / norm : 0;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] best = null;
        double bestCut = Double.POSITIVE_INFINITY;
        for (int restart = 0; restart < 30; restart++) {
            // a rotation from k rows that are mutually far apart, the first one random
            double[][] rot = new double[k][k];
            int first = rnd.nextInt(n);
            for (int c = 0; c < k; c++) rot[c][0] = v[first][c];
            double[] closeness = new double[n];
            for (int col = 1; col < k; col++) {
                for (int i = 0; i < n; i++) {
                    double dot = 0;
                    for (int c = 0; c < k; c++) dot += v[i][c] * rot[c][col - 1];
                    closeness[i] += Math.abs(dot);
                }
                int far = 0;
                for (int i = 1; i < n; i++) if (closeness[i] < closeness[far]) far = i;
                for (int c = 0; c < k; c++) rot[c][col] = v[far][c];
            }
            double lastCut = 0;
            int[] labels = new int[n];
            for (int iter = 0; iter < 30; iter++) {
                for (int i = 0; i < n; i++) {   // argmax of v R
                    int arg = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int col = 0; col < k; col++) {
                        double p = 0;
                        for (int c = 0; c < k; c++) p += v[i][c] * rot[c][col];
                        if (p > max) { max = p; arg = col; }
                    }
                    labels[i] = arg;
                }
                // SVD of T^T V (T the one-hot assignment [n][k]): U S Vh; the new rotation is Vh^T U^T
                double[][] tv = new double[k][k];
                for (int i = 0; i < n; i++) for (int c = 0; c < k; c++) tv[labels[i]][c] += v[i][c];
                INDArray a = Nd4j.createFromArray(tv), s = Nd4j.create(DataType.DOUBLE, k), u = Nd4j.create(DataType.DOUBLE, k, k), vt = Nd4j.create(DataType.DOUBLE, k, k);
                Nd4j.getBlasWrapper().lapack().gesvd(a, s, u, vt);
                double cut = 2.0 * (n - s.sumNumber().doubleValue());
                boolean converged = Math.abs(cut - lastCut) < 1e-12 || iter == 29;
                lastCut = cut;
                if (converged) break;
                double[][] uu = u.toDoubleMatrix(), vv = vt.toDoubleMatrix();
                for (int r = 0; r < k; r++)
                    for (int col = 0; col < k; col++) {
                        double x = 0;
                        for (int m = 0; m < k; m++) x += vv[m][r] * uu[col][m];
                        rot[r][col] = x;
                    }
            }
            if (lastCut < bestCut) {
                bestCut = lastCut;
                best = labels.clone();
            }
        }
        return best;
    }

    /** Labels renumbered so that 0 is the largest cluster, 1 the next, ... (ties by the old label). */
    static int[] bySize(int[] labels, int k) {
        int[] size = new int[k];
        for (int l : labels) size[l]++;
        Integer[] order = IntStream.range(0, k).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt((Integer l) -> -size[l]).thenComparingInt(l -> l));
        int[] newLabel = new int[k];
        for (int i = 0; i < k; i++) newLabel[order[i]] = i;
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) out[i] = newLabel[labels[i]];
        return out;
    }

    /**
     * The adjusted Rand index of two labelings (Hubert and Arabie): 1 for identical partitions up to
     * renaming, about 0 for independent ones. Hand-written: a closed formula on the contingency table.
     */
    public static double adjustedRandIndex(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("labelings of " + a.length + " and " + b.length + " items");
        int ka = Arrays.stream(a).max().orElse(0) + 1, kb = Arrays.stream(b).max().orElse(0) + 1;
        long[][] table = new long[ka][kb];
        for (int i = 0; i < a.length; i++) table[a[i]][b[i]]++;
        double index = 0, rows = 0, cols = 0;
        for (long[] row : table) {
            long sum = 0;
            for (long x : row) {
                index += pairs(x);
                sum += x;
            }
            rows += pairs(sum);
        }
        for (int j = 0; j < kb; j++) {
            long sum = 0;
            for (long[] row : table) sum += row[j];
            cols += pairs(sum);
        }
        double expected = rows * cols / pairs(a.length), max = 0.5 * (rows + cols);
        return max == expected ? 1.0 : (index - expected) / (max - expected);
    }

    private static double pairs(long n) {
        return n * (n - 1) / 2.0;
    }
}
