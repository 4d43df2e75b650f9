package io.stylegan2.inversion.sam;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ErrorMapsTest {

    @Test
    void constantErrorGivesItsMagnitudeEverywhere() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 2, 3, 8, 8), b = Nd4j.valueArrayOf(new long[]{2, 3, 8, 8}, 0.3f);
        INDArray m = ErrorMaps.localRmse(a, b, 2);
        assertThat(m.shape()).containsExactly(2, 1, 8, 8);
        assertThat(m.minNumber().doubleValue()).isCloseTo(0.3, within(1e-6));
        assertThat(m.maxNumber().doubleValue()).isCloseTo(0.3, within(1e-6));
    }

    @Test
    void onePixelErrorIsSpreadOverTheWindowNormalisedAtBorders() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8), b = a.dup();
        b.putScalar(new long[]{0, 0, 4, 4}, 0.9);   // squared error 0.81
        b.putScalar(new long[]{0, 0, 0, 0}, 0.6);   // squared error 0.36 in the corner
        INDArray m = ErrorMaps.localRmse(a, b, 1);
        assertThat(m.getDouble(0, 0, 4, 4)).isCloseTo(Math.sqrt(0.81 / 9), within(1e-6));
        assertThat(m.getDouble(0, 0, 3, 5)).isCloseTo(Math.sqrt(0.81 / 9), within(1e-6));
        assertThat(m.getDouble(0, 0, 2, 4)).isZero();
        assertThat(m.getDouble(0, 0, 0, 0)).as("corner window has 4 pixels").isCloseTo(Math.sqrt(0.36 / 4), within(1e-6));
        assertThat(ErrorMaps.localRmse(a, b, 0).getDouble(0, 0, 4, 4)).isCloseTo(0.9, within(1e-6));
        assertThat(ErrorMaps.of(Optional.empty(), a, b).shape()).containsExactly(1, 1, 8, 8);
        assertThat(ErrorMaps.describe(Optional.empty(), 32)).isEqualTo("local-rmse-r2");
        assertThatThrownBy(() -> ErrorMaps.localRmse(a, Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4), 1)).hasMessageContaining("one shape");
    }
}
