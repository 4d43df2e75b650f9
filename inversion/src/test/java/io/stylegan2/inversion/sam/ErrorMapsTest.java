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

    @Test
    void lpipsMapsAreLpipssSpatialMapAndGreyImagesAreRepeatedToRgb() throws Exception {
        try (io.stylegan2.losses.lpips.Lpips alex = io.stylegan2.inversion.FixtureModel.lpipsAlex()) {
            INDArray a = Nd4j.concat(0, io.stylegan2.inversion.FixtureModel.garment(30), io.stylegan2.inversion.FixtureModel.garment(31));
            INDArray b = Nd4j.concat(0, io.stylegan2.inversion.FixtureModel.garment(32), io.stylegan2.inversion.FixtureModel.garment(31));
            INDArray m = ErrorMaps.of(Optional.of(alex), a, b);
            assertThat(m.shape()).containsExactly(2, 1, 32, 32);
            assertThat(m.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).amaxNumber().doubleValue()).as("identical images").isCloseTo(0, within(1e-6));
            assertThat(m.equals(alex.spatialMap(a, b, false).castTo(DataType.FLOAT))).isTrue();
            double mean = m.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).meanNumber().doubleValue(), d = alex.distance(a, b).getDouble(0);
            assertThat(mean).as("the map averages to about the distance %s", d).isCloseTo(d, within(0.1 * d));
            INDArray grey = a.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
            INDArray greyB = b.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)).dup();
            assertThat(ErrorMaps.lpips(alex, grey, greyB).sub(m).amaxNumber().doubleValue()).as("garments are grey in 3 equal channels").isLessThan(1e-5);
            assertThat(ErrorMaps.describe(Optional.of(alex), 32)).isEqualTo(alex.name()).startsWith("lpips");
        }
    }
}
