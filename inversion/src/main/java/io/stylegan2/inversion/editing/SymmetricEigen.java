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
        double[][] vt = new double[n][n];   // rows are eigenvectors (V transposed, so updates are contiguous)
        for (int i = 0; i < n; i++) vt[i][i] = 1;
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
                    double app = m[p][p], aqq = m[q][q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = theta == 0 ? 1 : Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    // M' = P^T M P with P = rotation in the (p, q) plane; M stays symmetric, so rows p, q are
                    // updated and mirrored into columns p, q
                    double[] rp = m[p], rq = m[q];
                    for (int k = 0; k < n; k++) {
                        if (k == p || k == q) continue;
                        double mpk = rp[k], mqk = rq[k];
                        double np = c * mpk - s * mqk, nq = s * mpk + c * mqk;
                        rp[k] = np;
                        rq[k] = nq;
                        m[k][p] = np;
                        m[k][q] = nq;
                    }
                    rp[p] = app - t * apq;
                    rq[q] = aqq + t * apq;
                    rp[q] = 0;
                    rq[p] = 0;
                    double[] vp = vt[p], vq = vt[q];
                    for (int k = 0; k < n; k++) {
                        double x0 = vp[k], y0 = vq[k];
                        vp[k] = c * x0 - s * y0;
                        vq[k] = s * x0 + c * y0;
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
                vectors[i][k] = vt[col][k];
                if (Math.abs(vt[col][k]) > Math.abs(vt[col][arg])) arg = k;
            }
            double norm = 0;
            for (double x : vectors[i]) norm += x * x;
            norm = Math.sqrt(norm) * (vectors[i][arg] < 0 ? -1 : 1);
            for (int k = 0; k < n; k++) vectors[i][k] /= norm;
        }
        return new Result(values, vectors);
    }
}
