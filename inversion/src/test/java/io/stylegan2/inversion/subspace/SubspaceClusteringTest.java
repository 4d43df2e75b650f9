package io.stylegan2.inversion.subspace;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The post-processing and spectral clustering on self-expression matrices whose clusters are known. */
class SubspaceClusteringTest {

    /**
     * Channels drawn from 3 independent subspaces (sizes 20, 14, 6): the self-expression matrix of
     * least-squares fits within each subspace, plus small noise everywhere, is recovered exactly
     * (adjusted Rand index 1), with labels ordered by cluster size.
     */
    @Test
    void recoversPlantedSubspacesFromANoisyBlockMatrix() {
        int[] sizes = {6, 20, 14};   // planted in this order; the labels come out by size
        int n = Arrays.stream(sizes).sum();
        int[] truth = new int[n];
        double[][] c = new double[n][n];
        SplittableRandom r = new SplittableRandom(3);
        for (int b = 0, start = 0; b < sizes.length; start += sizes[b], b++)
            for (int i = start; i < start + sizes[b]; i++) {
                truth[i] = b;
                for (int j = start; j < start + sizes[b]; j++) if (i != j) c[i][j] = 0.5 + r.nextDouble();
            }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) c[i][j] += 0.02 * r.nextDouble();
        int[] labels = SubspaceClustering.cluster(Nd4j.createFromArray(c), new SubspaceClustering.Settings(3, 4, 0.9, 3, 0));
        assertThat(SubspaceClustering.adjustedRandIndex(labels, truth)).isCloseTo(1.0, within(1e-12));
        assertThat(labels[6]).isZero();    // the 20-channel subspace is cluster 0
        assertThat(labels[26]).isEqualTo(1);
        assertThat(labels[0]).isEqualTo(2);
    }

    @Test
    void thresholdKeepsTheLargestEntriesUpToRhoOfEachColumn() {
        double[][] c = {{0, 5, 1}, {3, 0, 1}, {1, 5, 0}};
        double[][] t = SubspaceClustering.threshold(c, 0.7);
        // column 0: |3|, |1| -> 3 reaches 0.75 >= 0.7 of 4; column 1: 5 then 5 (0.5 < 0.7); column 2: 1 then 1
        assertThat(t[1][0]).isEqualTo(3);
        assertThat(t[2][0]).isZero();
        assertThat(t[0][1]).isEqualTo(5);
        assertThat(t[2][1]).isEqualTo(5);
        assertThat(t[0][2] + t[1][2]).isEqualTo(2);
    }

    @Test
    void adjustedRandIndexMatchesKnownValues() {
        assertThat(SubspaceClustering.adjustedRandIndex(new int[]{0, 0, 1, 1}, new int[]{1, 1, 0, 0})).isEqualTo(1.0);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.5714285714285715
        assertThat(SubspaceClustering.adjustedRandIndex(new int[]{0, 0, 1, 1}, new int[]{0, 0, 1, 2})).isCloseTo(0.5714285714285715, within(1e-12));
        // [0, 0, 1, 2] vs [0, 1, 1, 1]: no pair together in both, expected 0.5, max 2: (0 - 0.5) / (2 - 0.5) = -1/3 (below chance)
        assertThat(SubspaceClustering.adjustedRandIndex(new int[]{0, 0, 1, 2}, new int[]{0, 1, 1, 1})).isCloseTo(-1 / 3.0, within(1e-12));
        assertThat(SubspaceClustering.bySize(new int[]{2, 2, 0, 1, 1, 1}, 3)).containsExactly(1, 1, 2, 0, 0, 0);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> SubspaceClustering.cluster(Nd4j.eye(10), new SubspaceClustering.Settings(3, 4, 0.2, 3, 0))).hasMessageContaining("rank d*K+1 = 13 exceeds the 10 channels");
        assertThatThrownBy(() -> new SubspaceClustering.Settings(1, 4, 0.2, 3, 0)).hasMessageContaining("clusters");
    }
}
