package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Conv2dResampleTest {
    static final INDArray F = Upfirdn2d.setupFilter(1, 3, 3, 1);

    private static INDArray run(INDArray x, INDArray wOihw, INDArray f, int up, int down, int[] p, boolean flip) {
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x).add(0.0); // op output, no static shape
        SDVariable wv = sd.var("w", Conv2dResample.oihwToYxio(wOihw).castTo(x.dataType()));
        return Conv2dResample.conv2dResample(xv, wv, f, up, down, p, flip).eval();
    }

    @Test
    void layoutRoundTrip() {
        INDArray w = rand(DataType.DOUBLE, 4, 3, 2, 5);
        INDArray y = Conv2dResample.oihwToYxio(w);
        assertThat(y.shape()).containsExactly(2, 5, 3, 4);
        assertThat(y.getDouble(1, 4, 2, 3)).isEqualTo(w.getDouble(3, 2, 1, 4));
        assertAllClose("round trip", Conv2dResample.yxioToOihw(y), w, 0, 0);
    }

    @Test
    void matchesNvlabsBranchesDouble() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 6, 6);
        INDArray w3 = rand(DataType.DOUBLE, 2, 3, 3, 3).muli(0.7).addi(0.05);
        INDArray w1 = rand(DataType.DOUBLE, 2, 3, 1, 1).addi(0.1);
        Object[][] cases = {
                {w3, 1, 1, 1, true}, {w3, 1, 1, 1, false}, {w3, 1, 1, 0, true},
                {w3, 2, 1, 1, false}, {w3, 2, 1, 1, true}, {w3, 2, 1, 0, false},
                {w3, 1, 2, 1, true}, {w3, 1, 2, 0, false},
                {w1, 1, 2, 0, true}, {w1, 2, 1, 0, true}, {w3, 2, 2, 1, false},
        };
        for (Object[] c : cases) {
            INDArray w = (INDArray) c[0];
            int up = (int) c[1], down = (int) c[2], pad = (int) c[3];
            boolean flip = (boolean) c[4];
            int[] p = {pad, pad, pad, pad};
            INDArray expected = NaiveOps.conv2dResample(x, w, F, up, down, p, flip);
            INDArray actual = run(x, w, F, up, down, p, flip);
            assertAllClose("k=" + w.size(2) + " up=" + up + " down=" + down + " pad=" + pad + " flip=" + flip, actual, expected, 1e-10, 1e-12);
        }
        // asymmetric padding without resampling
        INDArray expected = NaiveOps.conv2dResample(x, w3, null, 1, 1, new int[] {2, 0, 1, -1}, true);
        assertAllClose("asym pad", run(x, w3, null, 1, 1, new int[] {2, 0, 1, -1}, true), expected, 1e-10, 1e-12);
    }

    @Test
    void upsampleShapeAndFloat() {
        INDArray x = rand(DataType.FLOAT, 1, 3, 4, 4);
        INDArray w = rand(DataType.DOUBLE, 2, 3, 3, 3);
        INDArray actual = run(x, w, F.castTo(DataType.FLOAT), 2, 1, new int[] {1, 1, 1, 1}, false);
        assertThat(actual.shape()).containsExactly(1, 2, 8, 8);
        assertThat(actual.dataType()).isEqualTo(DataType.FLOAT);
        assertAllClose("float up", actual, NaiveOps.conv2dResample(x, w, F, 2, 1, new int[] {1, 1, 1, 1}, false), 1e-5, 1e-5);
        INDArray down = run(x, w, F.castTo(DataType.FLOAT), 1, 2, new int[] {1, 1, 1, 1}, true);
        assertThat(down.shape()).containsExactly(1, 2, 2, 2);
    }

    @Test
    void gradients() {
        int[][] modes = {{1, 1}, {2, 1}, {1, 2}};
        for (int[] m : modes) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 4, 4));
            SDVariable w = sd.var("w", rand(DataType.DOUBLE, 3, 3, 2, 3));
            SDVariable y = Conv2dResample.conv2dResample(x.mul(1.0), w.mul(1.0), new long[] {3, 3, 2, 3}, F, m[0], m[1], new int[] {1, 1, 1, 1}, m[0] == 1);
            GradCheck.check(sd, y, 40, "x", "w");
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 4, 4));
        SDVariable w = sd.var("w", rand(DataType.DOUBLE, 1, 1, 2, 3));
        GradCheck.check(sd, Conv2dResample.conv2dResample(x, w, F, 1, 2, null, true), 40, "x", "w");
    }

    @Test
    void rejectsChannelMismatch() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, 2, 4, 4));
        SDVariable w = sd.var("w", rand(DataType.DOUBLE, 3, 3, 5, 3));
        assertThatThrownBy(() -> Conv2dResample.conv2dResample(x, w, null, 1, 1, new int[] {1}, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv2dResample").hasMessageContaining("[3, 3, 5, 3]");
    }
}
