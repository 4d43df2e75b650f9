package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import static org.assertj.core.api.Assertions.assertThat;

class BicubicResizeTest {
    /**
     * {@code F.interpolate(sin(0.7 * arange(25)).reshape(1, 1, 5, 5), size=(8, 8), mode='bicubic',
     * align_corners=True)} in float64, PyTorch 1.13.
     */
    static final double[] TORCH_5_TO_8 = {0.000000000000, 0.337944507934, 0.737818529700, 0.936953459041, 1.013603569546, 0.924056282440, 0.628618963572, 0.334988150156,
            -0.309287393764, -0.388087734017, -0.433315837637, -0.402677919195, -0.288291812615, -0.155390453138, 0.045690104573, 0.190620434080,
            -0.236304011181, -0.512235487335, -0.802049378124, -0.905758358321, -0.867293619244, -0.708591110181, -0.366368547041, -0.068199468282,
            0.543752402642, 0.624376561110, 0.635365190105, 0.547375660188, 0.333140116509, 0.114834352660, -0.188052796480, -0.392532855151,
            0.279922657884, 0.457767513188, 0.624748863019, 0.659790650061, 0.580426194129, 0.431916030519, 0.156799649306, -0.066928143836,
            -0.827774191513, -0.885750170867, -0.825849730513, -0.653739336002, -0.312912076487, 0.002262616170, 0.406743440329, 0.661761732625,
            -0.255780063928, -0.354297740819, -0.431162739564, -0.425476811515, -0.338443920108, -0.219697811423, -0.024249445186, 0.124584518757,
            0.990607355695, 0.963515171125, 0.777679886922, 0.514866419682, 0.085113085362, -0.266497279790, -0.666206112877, -0.887567033582};

    private static INDArray input() {
        return Transforms.sin(Nd4j.arange(25).castTo(DataType.DOUBLE).muli(0.7)).reshape(1, 1, 5, 5);
    }

    @Test
    void matchesPyTorchBicubicAlignCorners() {
        SameDiff sd = SameDiff.create();
        INDArray y = BicubicResize.resize(sd.constant(input()), 1, 5, 8).eval();
        assertThat(y.shape()).containsExactly(1, 1, 8, 8);
        INDArray want = Nd4j.createFromArray(TORCH_5_TO_8).reshape(1, 1, 8, 8);
        assertThat(y.sub(want).amaxNumber().doubleValue()).isLessThan(1e-11);
        // float32 and a batch of channels: each channel resized alike
        SameDiff sf = SameDiff.create();
        INDArray x3 = Nd4j.concat(1, input(), input().mul(2), input().neg()).castTo(DataType.FLOAT);
        INDArray y3 = BicubicResize.resize(sf.constant(Nd4j.concat(0, x3, x3)), 3, 5, 8).eval();
        assertThat(y3.shape()).containsExactly(2, 3, 8, 8);
        assertThat(y3.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.point(1)).castTo(DataType.DOUBLE)
                .sub(want.reshape(8, 8).mul(2)).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void matrixRowsSumToOneAndEqualSizesAreTheIdentity() {
        INDArray m = BicubicResize.matrix(8, 34, DataType.DOUBLE);
        assertThat(m.sum(1).sub(1).amaxNumber().doubleValue()).isLessThan(1e-12);
        assertThat(BicubicResize.matrix(6, 6, DataType.DOUBLE)).isEqualTo(Nd4j.eye(6).castTo(DataType.DOUBLE));
    }

    @Test
    void gradientCheck() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 4).subi(0.5));
        GradCheck.check(sd, BicubicResize.resize(x.mul(1.0), 2, 4, 7), 64, "x");
    }
}
