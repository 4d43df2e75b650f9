package io.stylegan2.inversion.editing;

/**
 * Eigen-decomposition of a real symmetric matrix in float64 by the cyclic Jacobi method (plane
 * rotations until the off-diagonal part vanishes). O(n^3) per sweep, typically 6-10 sweeps: a
 * 512x512 covariance takes a few seconds. Eigenvalues are sorted in descending order; each
 * eigenvector is a unit vector with its largest-magnitude entry positive (a deterministic sign).
 */
public final class SymmetricEigen {
    private SymmetricEigen() {}

    /**
     * @param values  eigenvalues, descending
     * @param vectors {@code vectors[i]} is the unit eigenvector of {@code values[i]}
     */
    public record Result(double[] values, double[][] vectors) {}

    /** Decomposes {@code a} (square, symmetric up to rounding: the upper triangle is used). */
    public static Result decompose(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("matrix is not square: row " + i + " has " + a[i].length + " entries, expected " + n);
            for (int j = 0; j < n; j++) {
                double v = j >= i ? a[i][j] : a[j][i];
                if (!Double.isFinite(v)) throw new IllegalArgumentException("matrix has a non-finite entry at (" + i + ", " + j + ")");
                m[i][j] = v;
            }
        }
        double[][] v = new double[n][n];   // columns are eigenvectors
        for (int i = 0; i < n; i++) v[i][i] = 1;
        double total = 0;
        for (double[] row : m) for (double x : row) total += x * x;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += m[p][q] * m[p][q];
            if (off <= 1e-30 * total || off == 0) break;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = m[p][q];
                    if (apq == 0 || Math.abs(apq) < 1e-300) continue;
                    double theta = (m[q][q] - m[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) {      // columns p, q: M P
                        double mkp = m[k][p], mkq = m[k][q];
                        m[k][p] = c * mkp - s * mkq;
                        m[k][q] = s * mkp + c * mkq;
                    }
                    double[] rp = m[p], rq = m[q];
                    for (int k = 0; k < n; k++) {      // rows p, q: P^T (M P)
                        double mpk = rp[k], mqk = rq[k];
                        rp[k] = c * mpk - s * mqk;
                        rq[k] = s * mpk + c * mqk;
                    }
                    m[p][q] = 0;
                    m[q][p] = 0;
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(m[y][y], m[x][x]));
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        for (int i = 0; i < n; i++) {
            int col = order[i];
            values[i] = m[col][col];
            int arg = 0;
            for (int k = 0; k < n; k++) {
                vectors[i][k] = v[k][col];
                if (Math.abs(v[k][col]) > Math.abs(v[arg][col])) arg = k;
            }
            double norm = 0;
            for (double x : vectors[i]) norm += x * x;
            norm = Math.sqrt(norm) * (vectors[i][arg] < 0 ? -1 : 1);
            for (int k = 0; k < n; k++) vectors[i][k] /= norm;
        }
        return new Result(values, vectors);
    }
}
