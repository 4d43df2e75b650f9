package io.stylegan2.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Eigen-decomposition of symmetric float64 matrices through LAPACK {@code dsyev} (ND4J's native backend). */
final class SymmetricEigen {
    private SymmetricEigen() {}

    /** @param values eigenvalues ascending {@code [n]}; @param vectors columns are eigenvectors {@code [n,n]} (null if not asked) */
    record Result(double[] values, INDArray vectors) {}

    static Result decompose(INDArray symmetric, boolean vectors) {
        long n = symmetric.size(0);
        if (symmetric.rank() != 2 || symmetric.size(1) != n) throw new IllegalArgumentException("square matrix expected");
        // symmetrise (removes rounding asymmetry), column-major copy that LAPACK overwrites with the vectors
        INDArray s = symmetric.castTo(DataType.DOUBLE);
        INDArray a = s.add(s.transpose()).muli(0.5).dup('f');
        INDArray w = Nd4j.create(DataType.DOUBLE, n);
        int info = Nd4j.getBlasWrapper().lapack().syev(vectors ? 'V' : 'N', 'U', a, w);
        if (info != 0) throw new ArithmeticException("dsyev failed, info = " + info);
        return new Result(w.toDoubleVector(), vectors ? a : null);
    }
}
