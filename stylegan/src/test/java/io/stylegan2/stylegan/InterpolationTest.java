package io.stylegan2.stylegan;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Interpolation against closed forms: end points, the great-circle angle and the norm, lerp's midpoint. */
class InterpolationTest {

    @Test
    void slerpFollowsTheGreatCircleWithTheNormInterpolatedLinearly() {
        INDArray a = Nd4j.createFromArray(2.0, 0.0), b = Nd4j.createFromArray(0.0, 4.0);
        assertThat(Interpolation.slerp(a, b, 0).toDoubleVector()).containsExactly(new double[]{2, 0}, within(1e-12));
        assertThat(Interpolation.slerp(a, b, 1).toDoubleVector()).containsExactly(new double[]{0, 4}, within(1e-12));
        INDArray third = Interpolation.slerp(a, b, 1 / 3.0);   // 30 degrees along, norm 2 + (4 - 2)/3
        double n = 2 + 2 / 3.0;
        assertThat(third.toDoubleVector()).containsExactly(new double[]{n * Math.cos(Math.PI / 6), n * Math.sin(Math.PI / 6)}, within(1e-12));
        // float in, float out; nearly parallel falls back to lerp
        INDArray f = Interpolation.slerp(a.castTo(DataType.FLOAT), a.castTo(DataType.FLOAT).mul(3), 0.5);
        assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(f.toDoubleVector()).containsExactly(new double[]{4, 0}, within(1e-6));
    }

    @Test
    void lerpAndPathsCoverTheEndsEvenly() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 3, 2), b = Nd4j.ones(DataType.FLOAT, 3, 2);
        INDArray p = Interpolation.path(a, b, 5, Interpolation.Space.W);
        assertThat(p.shape()).containsExactly(5, 3, 2);
        assertThat(p.getDouble(2, 1, 1)).isCloseTo(0.5, within(1e-7));
        assertThat(p.getDouble(4, 2, 0)).isCloseTo(1.0, within(1e-7));
        INDArray z = Interpolation.path(Nd4j.createFromArray(1.0, 0), Nd4j.createFromArray(0.0, 1), 3, Interpolation.Space.Z);
        assertThat(z.getRow(1).norm2Number().doubleValue()).isCloseTo(1.0, within(1e-12));   // lerp would give 0.707
    }

    @Test
    void badInputsAreRefusedWithTheirShapes() {
        assertThatThrownBy(() -> Interpolation.lerp(Nd4j.zeros(2), Nd4j.zeros(3), 0.5)).hasMessageContaining("[2] and [3]");
        assertThatThrownBy(() -> Interpolation.slerp(Nd4j.zeros(2, 2), Nd4j.zeros(2, 2), 0.5)).hasMessageContaining("two vectors");
        assertThatThrownBy(() -> Interpolation.slerp(Nd4j.createFromArray(1.0, 0), Nd4j.createFromArray(-1.0, 0), 0.5)).hasMessageContaining("opposite");
        assertThatThrownBy(() -> Interpolation.path(Nd4j.zeros(2), Nd4j.zeros(2), 0, Interpolation.Space.W)).hasMessageContaining("frames");
    }
}
