package io.stylegan2.core.linalg;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Eigen-decomposition of a real symmetric matrix in float64, by LAPACK {@code dsyev} through ND4J's
 * native backend (the one symmetric eigen solver of the project: FID, GANSpace, SeFa). The input
 * is symmetrised first ({@code (A + A^T) / 2}, removing rounding asymmetry). Eigenvalues are
 * returned in descending order; each eigenvector is a unit vector whose largest-magnitude entry is
 * positive, so the result is deterministic in sign (LAPACK's sign is arbitrary).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the input is
 * only read and must not be mutated concurrently). {@link Result} is shallowly immutable: its
 * arrays are not copied.
 */
public final class SymmetricEigen {
    private SymmetricEigen() {}

    /**
     * @param values  eigenvalues, descending
     * @param vectors {@code vectors[i]} is the unit eigenvector of {@code values[i]}; null when not computed
     */
    public record Result(double[] values, double[][] vectors) {
        /** The eigenvectors as the rows of a {@code [n, n]} float64 matrix. */
        public INDArray vectorRows() {
            if (vectors == null) throw new IllegalStateException("eigenvectors were not computed");
            return Nd4j.createFromArray(vectors);
        }
    }

    /** Eigenvalues and eigenvectors of {@code a} ({@code [n, n]}). */
    public static Result decompose(INDArray a) {
        return decompose(a, true);
    }

    /** As {@link #decompose(INDArray)}; {@code withVectors = false} computes the eigenvalues only. */
    public static Result decompose(INDArray a, boolean withVectors) {
        if (a.rank() != 2 || a.size(0) != a.size(1))
            throw new IllegalArgumentException("symmetric eigen-decomposition needs a square matrix, got " + java.util.Arrays.toString(a.shape()));
        int n = (int) a.size(0);
        INDArray s = a.castTo(DataType.DOUBLE);
        if (!Double.isFinite(s.sumNumber().doubleValue()) || !Double.isFinite(s.amaxNumber().doubleValue()))
            throw new IllegalArgumentException("symmetric eigen-decomposition: the matrix has non-finite entries");
        INDArray m = s.add(s.transpose()).muli(0.5).dup('f');     // column-major; LAPACK overwrites it with the vectors
        INDArray w = Nd4j.create(DataType.DOUBLE, n);
        int info = Nd4j.getBlasWrapper().lapack().syev(withVectors ? 'V' : 'N', 'U', m, w);
        if (info != 0) throw new ArithmeticException("LAPACK dsyev failed, info = " + info);
        double[] asc = w.toDoubleVector();
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = asc[n - 1 - i];
        if (!withVectors) return new Result(values, null);
        double[][] vectors = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] v = m.getColumn(n - 1 - i).dup().toDoubleVector();
            int arg = 0;
            double norm = 0;
            for (int k = 0; k < n; k++) {
                norm += v[k] * v[k];
                if (Math.abs(v[k]) > Math.abs(v[arg])) arg = k;
            }
            norm = Math.sqrt(norm) * (v[arg] < 0 ? -1 : 1);
            for (int k = 0; k < n; k++) v[k] /= norm;
            vectors[i] = v;
        }
        return new Result(values, vectors);
    }

    /** As {@link #decompose(INDArray)} for a {@code double[n][n]}. */
    public static Result decompose(double[][] a) {
        for (int i = 0; i < a.length; i++)
            if (a[i].length != a.length) throw new IllegalArgumentException("matrix is not square: row " + i + " has " + a[i].length + " entries, expected " + a.length);
        return decompose(Nd4j.createFromArray(a), true);
    }
}
