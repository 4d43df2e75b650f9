package io.stylegan2.core;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SeedsTest {

    @Test
    void matchesNumpyRandomState0() {
        double[] expected = {1.76405235, 0.40015721, 0.97873798, 2.2408932, 1.86755799};
        double[] got = Seeds.randn(0, 5);
        for (int i = 0; i < 5; i++) assertThat(got[i]).as("randn[%d]", i).isCloseTo(expected[i], within(1e-8));
    }

    @Test
    void matchesNumpyRandomState1() {
        double[] expected = {1.62434536, -0.61175641, -0.52817175};
        double[] got = Seeds.randn(1, 3);
        for (int i = 0; i < 3; i++) assertThat(got[i]).as("randn[%d]", i).isCloseTo(expected[i], within(1e-8));
    }

    @Test
    void mt19937FirstOutputsMatchReference() {
        // numpy: np.random.RandomState(0).randint(0, 2**32, dtype=np.uint64) style raw draws; init_genrand(5489) ref 3499211612
        Seeds.RandomState rs = new Seeds.RandomState(5489);
        assertThat(rs.nextInt32()).isEqualTo(3499211612L);
        assertThat(rs.nextInt32()).isEqualTo(581869302L);
    }

    @Test
    void zBatchIsRowPerSeedFloat32() {
        INDArray z = Seeds.z(new long[]{1, 0}, 3);
        assertThat(z.shape()).containsExactly(2, 3);
        assertThat(z.getDouble(0, 0)).isCloseTo(1.62434536, within(1e-6));
        assertThat(z.getDouble(1, 2)).isCloseTo(0.97873798, within(1e-6));
    }

    /** Seeded arrays repeat (ND4J's own seeded randn does not, see Seeds.randn) and are standard normal. */
    @Test
    void seededArraysRepeatAndAreStandardNormal() {
        INDArray a = Seeds.randn(42, org.nd4j.linalg.api.buffer.DataType.FLOAT, 200, 500);
        INDArray b = Seeds.randn(42, org.nd4j.linalg.api.buffer.DataType.FLOAT, 200, 500);
        assertThat(a.shape()).containsExactly(200, 500);
        assertThat(b).isEqualTo(a);
        assertThat(Seeds.randn(43, org.nd4j.linalg.api.buffer.DataType.FLOAT, 200, 500)).isNotEqualTo(a);
        assertThat(a.meanNumber().doubleValue()).isCloseTo(0, within(0.01));
        assertThat(a.stdNumber().doubleValue()).isCloseTo(1, within(0.01));
        // consecutive draws from one stream differ; float64 requests are cast from the same values
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        INDArray first = Seeds.randn(r, org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3, 4);
        assertThat(first.dataType()).isEqualTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        assertThat(Seeds.randn(r, org.nd4j.linalg.api.buffer.DataType.DOUBLE, 3, 4)).isNotEqualTo(first);
        assertThatThrownBy(() -> Seeds.randn(1, org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, -1)).hasMessageContaining("negative");
    }

    @Test
    void parsesRangesAndLists() {
        assertThat(Seeds.parse("1-8")).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(Seeds.parse("1,3,5-7")).containsExactly(1, 3, 5, 6, 7);
        assertThat(Seeds.parse(" 4 , 2 ,4")).containsExactly(4, 2);
        assertThat(Seeds.parse("0")).containsExactly(0);
        assertThat(Seeds.parse("4294967295")).containsExactly(4294967295L);
    }

    @Test
    void rejectsBadSeedLists() {
        assertThatThrownBy(() -> Seeds.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Seeds.parse("1,,2")).hasMessageContaining("empty item");
        assertThatThrownBy(() -> Seeds.parse("8-1")).hasMessageContaining("descending");
        assertThatThrownBy(() -> Seeds.parse("a")).hasMessageContaining("'a'");
        assertThatThrownBy(() -> Seeds.parse("-3")).hasMessageContaining("-3");
        assertThatThrownBy(() -> Seeds.parse("4294967296")).hasMessageContaining("out of range");
    }
}
