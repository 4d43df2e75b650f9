package io.stylegan2.inversion.sam;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SpaceSelectionTest {
    static final CandidateSpaces SPACES = new CandidateSpaces(List.of("b8", "b16"));

    /** Left half segment 0, right half segment 1, on a 32 px image. */
    static Segmentation halves() {
        int[] l = new int[32 * 32];
        for (int y = 0; y < 32; y++) for (int x = 16; x < 32; x++) l[y * 32 + x] = 1;
        return Segmentation.of(32, 32, l);
    }

    /** Predicted errors: space k on the left = left[k], on the right = right[k]. */
    static INDArray predicted(double[] left, double[] right) {
        INDArray p = Nd4j.zeros(DataType.FLOAT, 1, 3, 32, 32);
        for (int k = 0; k < 3; k++) {
            p.get(NDArrayIndex.point(0), NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.interval(0, 16)).assign(left[k]);
            p.get(NDArrayIndex.point(0), NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.interval(16, 32)).assign(right[k]);
        }
        return p;
    }

    @Test
    void spacesOfAGenerator() {
        assertThat(SPACES.names()).containsExactly("W+", "b8", "b16");
        assertThat(SPACES.index("wplus")).isZero();
        assertThat(SPACES.index("b16")).isEqualTo(2);
        assertThatThrownBy(() -> SPACES.index("b32")).hasMessageContaining("unknown SAM space 'b32'");
        assertThatThrownBy(() -> new CandidateSpaces(List.of("b16", "b8"))).hasMessageContaining("increasing");
    }

    @Test
    void eachSegmentTakesTheEarliestSpaceUnderTau() {
        // left: W+ 0.5, b8 0.2, b16 0.1 -> b8 at tau 0.225; right: W+ 0.1 -> W+
        INDArray p = predicted(new double[]{0.5, 0.2, 0.1}, new double[]{0.1, 0.05, 0.01});
        SpaceSelection s = SpaceSelection.select(SPACES, p, halves(), 0.225);
        assertThat(s.segmentSpace()).containsExactly(1, 0);
        assertThat(s.fractions()).containsExactly(new double[]{0.5, 0.5, 0}, within(1e-12));
        Map<String, INDArray> m = s.masks();
        assertThat(m).containsOnlyKeys("b8");
        INDArray m8 = m.get("b8");
        assertThat(m8.shape()).containsExactly(1, 1, 8, 8);
        assertThat(m8.getDouble(0, 0, 3, 3)).isEqualTo(1.0);
        assertThat(m8.getDouble(0, 0, 3, 4)).isEqualTo(0.0);
        // nothing passes on the left at 0.06: the latest space; on the right b8 (0.05) is the earliest that passes
        assertThat(SpaceSelection.select(SPACES, p, halves(), 0.06).segmentSpace()).containsExactly(2, 1);
        // tau above every prediction: pure W+; below zero: the deepest everywhere
        assertThat(SpaceSelection.select(SPACES, p, halves(), 1).segmentSpace()).containsExactly(0, 0);
        SpaceSelection deep = SpaceSelection.select(SPACES, p, halves(), -1);
        assertThat(deep.segmentSpace()).containsExactly(2, 2);
        assertThat(deep.masks().get("b16").sumNumber().doubleValue()).isEqualTo(256.0);
        assertThat(deep.choiceMap().getDouble(0, 0, 5, 20)).isEqualTo(2.0);
        INDArray colours = SpaceSelection.colourChoice(s.choiceMap());
        assertThat(colours.shape()).containsExactly(1, 3, 32, 32);
        assertThat(colours.getDouble(0, 2, 0, 20)).as("W+ is blue").isCloseTo(0xD0 / 127.5 - 1, within(1e-6));
        assertThat(SpaceSelection.legend(SPACES)).isEqualTo("blue W+, yellow b8, red b16");
    }

    @Test
    void masksAreAreaAveragedAtSoftEdges() {
        float[] m = new float[32 * 32];
        for (int y = 0; y < 32; y++) for (int x = 0; x < 5; x++) m[y * 32 + x] = 1;    // 5 columns
        INDArray r = SpaceSelection.areaResize(m, 32, 32, 8);                            // 4x4 windows
        assertThat(r.getDouble(0, 0, 0, 0)).isEqualTo(1.0);
        assertThat(r.getDouble(0, 0, 0, 1)).isCloseTo(0.25, within(1e-7));             // 1 of 4 columns
        assertThat(r.getDouble(0, 0, 0, 2)).isEqualTo(0.0);
        assertThat(r.sumNumber().doubleValue() * 16).isCloseTo(5 * 32, within(1e-4));    // area kept
        assertThatThrownBy(() -> SpaceSelection.areaResize(m, 32, 32, 5)).hasMessageContaining("multiple");
    }

    @Test
    void predictionsMustMatchTheSpaces() {
        assertThatThrownBy(() -> SpaceSelection.select(SPACES, Nd4j.zeros(DataType.FLOAT, 1, 2, 32, 32), halves(), 0.2))
                .hasMessageContaining("one per space [W+, b8, b16]");
    }

    @Test
    void tauSweepsParse() {
        assertThat(SamMethod.parseTaus("0.1:0.2:0.05,1")).containsExactly(0.1, 0.15, 0.2, 1.0);
        assertThat(SamMethod.parseTaus(" 0.3 ")).containsExactly(0.3);
        assertThat(SamMethod.parseTaus(null)).isEmpty();
        assertThatThrownBy(() -> SamMethod.parseTaus("0.1:0.2")).hasMessageContaining("from:to:step");
        assertThatThrownBy(() -> SamMethod.parseTaus("a")).hasMessageContaining("not a number in 'a'");
    }
}
