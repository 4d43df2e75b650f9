package io.stylegan2.core.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SymmetricEigenTest {
    @Test
    void twoByTwo() {
        SymmetricEigen.Result r = SymmetricEigen.decompose(new double[][]{{2, 1}, {1, 2}});
        assertThat(r.values()[0]).isCloseTo(3, within(1e-14));
        assertThat(r.values()[1]).isCloseTo(1, within(1e-14));
        double s = Math.sqrt(0.5);
        assertThat(r.vectors()[0][0]).isCloseTo(s, within(1e-14));
        assertThat(r.vectors()[0][1]).isCloseTo(s, within(1e-14));
        assertThat(Math.abs(r.vectors()[1][0])).isCloseTo(s, within(1e-14));
        assertThat(r.vectors()[1][0] + r.vectors()[1][1]).isCloseTo(0, within(1e-14));
        // deterministic sign: the largest-magnitude entry of every vector is positive
        assertThat(r.vectors()[1][0]).isPositive();
        // values only
        assertThat(SymmetricEigen.decompose(org.nd4j.linalg.factory.Nd4j.createFromArray(new double[][]{{2, 1}, {1, 2}}), false).vectors()).isNull();
    }

    @Test
    void clearErrors() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SymmetricEigen.decompose(new double[][]{{1, 2}, {3}}))
                .hasMessageContaining("not square");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SymmetricEigen.decompose(new double[][]{{1, Double.NaN}, {0, 1}}))
                .hasMessageContaining("non-finite");
    }

    /** A = Q diag(lambda) Q^T with a random orthonormal Q: values and vectors come back. */
    @Test
    void knownSpectrum() {
        int n = 40;
        Random rnd = new Random(3);
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {        // Gram-Schmidt on random rows
            for (int k = 0; k < n; k++) q[i][k] = rnd.nextGaussian();
            for (int j = 0; j < i; j++) {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += q[i][k] * q[j][k];
                for (int k = 0; k < n; k++) q[i][k] -= dot * q[j][k];
            }
            double norm = 0;
            for (int k = 0; k < n; k++) norm += q[i][k] * q[i][k];
            for (int k = 0; k < n; k++) q[i][k] /= Math.sqrt(norm);
        }
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) lambda[i] = 10.0 - 0.5 * i;   // distinct, some negative
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i][j] += q[k][i] * lambda[k] * q[k][j];
        SymmetricEigen.Result r = SymmetricEigen.decompose(a);
        for (int i = 0; i < n; i++) {
            assertThat(r.values()[i]).as("eigenvalue " + i).isCloseTo(lambda[i], within(1e-10));
            double dot = 0, norm = 0;
            for (int k = 0; k < n; k++) {
                dot += r.vectors()[i][k] * q[i][k];
                norm += r.vectors()[i][k] * r.vectors()[i][k];
            }
            assertThat(Math.abs(dot)).as("eigenvector " + i).isCloseTo(1, within(1e-10));
            assertThat(norm).isCloseTo(1, within(1e-12));
        }
    }
}
