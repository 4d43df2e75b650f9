package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Upfirdn2dTest {
    static INDArray rand(DataType dt, long... shape) {
        Nd4j.getRandom().setSeed(42);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2).castTo(dt);
    }

    private static INDArray run(INDArray xv, INDArray f, int up, int down, int[] p, boolean flip, double gain) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", xv).add(0.0); // an op output: SameDiff knows no static shape
        return Upfirdn2d.upfirdn2d(x, f, up, down, p, flip, gain).eval();
    }

    @Test
    void setupFilterIsNormalisedOuterProduct() {
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1);
        assertThat(f.shape()).containsExactly(4, 4);
        assertThat(f.sumNumber().doubleValue()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(f.getDouble(1, 2)).isCloseTo(9.0 / 64, org.assertj.core.data.Offset.offset(1e-15));
        INDArray g = Upfirdn2d.setupFilter(new double[] {1, 2}, false, true);
        assertAllClose("flipped", g, Nd4j.createFromArray(new double[][] {{4, 2}, {2, 1}}), 0, 0);
    }

    @Test
    void matchesNaiveDouble() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 5, 6);
        INDArray fAsym = Nd4j.createFromArray(new double[][] {{1, 2, 0.5}, {-1, 3, 0.25}});
        INDArray f1d = Nd4j.createFromArray(1.0, 3.0, 3.0, 1.0);
        Object[][] cases = {
                {fAsym, 1, 1, new int[] {1, 1, 1, 1}, false, 1.0},
                {fAsym, 1, 1, new int[] {2, 0, 1, 3}, true, 2.0},
                {fAsym, 2, 1, new int[] {1, -1, 2, -2}, false, 4.0},
                {fAsym, 1, 2, new int[] {1, 2, 0, 1}, false, 1.0},
                {fAsym, 2, 2, new int[] {0, 1, 1, 0}, true, 1.5},
                {f1d, 2, 1, new int[] {2, 1, 2, 1}, false, 4.0},
                {f1d, 1, 2, new int[] {1, 1, 1, 1}, true, 1.0},
                {null, 2, 1, new int[] {0, -1, -1, 0}, false, 3.0},
                {null, 1, 2, new int[] {0, 0, 0, 0}, false, 1.0},
        };
        for (Object[] c : cases) {
            INDArray f = (INDArray) c[0];
            int up = (int) c[1], down = (int) c[2];
            int[] p = (int[]) c[3];
            boolean flip = (boolean) c[4];
            double gain = (double) c[5];
            INDArray expected = NaiveOps.upfirdn2d(x, f, up, down, p, flip, gain);
            INDArray actual = run(x, f, up, down, p, flip, gain);
            assertAllClose("upfirdn2d up=" + up + " down=" + down + " p=" + java.util.Arrays.toString(p) + " f=" + (f == null ? "id" : f.rank() + "d"), actual, expected, 1e-10, 1e-12);
        }
    }

    private static INDArray runFast(INDArray xv, INDArray f, int up, int down, int[] p, boolean flip, double gain) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", xv).add(0.0);
        return Upfirdn2d.upfirdn2d(x, f, up, down, p, flip, gain, xv.size(1)).eval();
    }

    /** The fast path (channel count given): depthwise conv, dense and folded transposed conv, against the naive loops. */
    @Test
    void fastPathMatchesNaiveDouble() {
        INDArray fAsym = Nd4j.createFromArray(new double[][] {{1, 2, 0.5}, {-1, 3, 0.25}});
        INDArray f1d = Nd4j.createFromArray(1.0, 3.0, 3.0, 1.0);
        Object[][] cases = {
                {fAsym, 1, 1, new int[] {1, 1, 1, 1}, false, 1.0},
                {fAsym, 1, 1, new int[] {2, 0, 1, 3}, true, 2.0},
                {fAsym, 1, 1, new int[] {-1, 2, 0, -1}, false, 1.0},
                {fAsym, 2, 1, new int[] {1, -1, 2, -2}, false, 4.0},
                {fAsym, 2, 1, new int[] {4, 3, 3, 5}, true, 4.0},
                {fAsym, 3, 1, new int[] {0, 0, 0, 0}, false, 9.0},
                {fAsym, 1, 2, new int[] {1, 2, 0, 1}, false, 1.0},
                {fAsym, 1, 3, new int[] {1, 1, 1, 1}, true, 1.0},
                {fAsym, 2, 2, new int[] {0, 1, 1, 0}, true, 1.5},
                {f1d, 2, 1, new int[] {2, 1, 2, 1}, false, 4.0},
                {f1d, 1, 2, new int[] {1, 1, 1, 1}, true, 1.0},
                {f1d, 1, 1, new int[] {2, 1, 2, 1}, false, 1.0},
        };
        for (long c : new long[] {3, Upfirdn2d.DENSE_UP_MAX_CHANNELS + 1}) {
            INDArray x = rand(DataType.DOUBLE, 2, c, 5, 6);
            for (Object[] cs : cases) {
                INDArray f = (INDArray) cs[0];
                int up = (int) cs[1], down = (int) cs[2];
                int[] p = (int[]) cs[3];
                boolean flip = (boolean) cs[4];
                double gain = (double) cs[5];
                INDArray expected = NaiveOps.upfirdn2d(x, f, up, down, p, flip, gain);
                assertAllClose("fast upfirdn2d C=" + c + " up=" + up + " down=" + down + " p=" + java.util.Arrays.toString(p) + " f=" + f.rank() + "d",
                        runFast(x, f, up, down, p, flip, gain), expected, 1e-10, 1e-12);
            }
        }
    }

    @Test
    void fastPathMatchesReferenceFloat() {
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1).castTo(DataType.FLOAT);
        for (long c : new long[] {3, 40}) {
            INDArray x = rand(DataType.FLOAT, 1, c, 8, 8);
            for (int[] ud : new int[][] {{2, 1}, {1, 2}, {1, 1}}) {
                int[] p = ud[0] == 2 ? new int[] {2, 1, 2, 1} : new int[] {1, 1, 1, 1};
                double gain = ud[0] * ud[0];
                assertAllClose("fast vs reference float C=" + c + " up=" + ud[0] + " down=" + ud[1],
                        runFast(x, f, ud[0], ud[1], p, false, gain), run(x, f, ud[0], ud[1], p, false, gain), 1e-5, 1e-6);
            }
        }
    }

    @Test
    void referencePropertyForcesTheReferencePath() {
        String old = System.getProperty(Upfirdn2d.PATH_PROPERTY);
        try {
            System.setProperty(Upfirdn2d.PATH_PROPERTY, "reference");
            SameDiff sd = SameDiff.create();
            Upfirdn2d.upsample2d(sd.var("x", rand(DataType.FLOAT, 1, 4, 6, 6)), Upfirdn2d.setupFilter(1, 3, 3, 1), 2, null, 4);
            assertThat(java.util.Arrays.stream(sd.ops()).map(o -> o.opName())).doesNotContain("deconv2d", "depthwise_conv2d").contains("conv2d");
            System.setProperty(Upfirdn2d.PATH_PROPERTY, "fast");
            assertThatThrownBy(Upfirdn2d::path).hasMessageContaining(Upfirdn2d.PATH_PROPERTY);
        } finally {
            if (old == null) System.clearProperty(Upfirdn2d.PATH_PROPERTY);
            else System.setProperty(Upfirdn2d.PATH_PROPERTY, old);
        }
    }

    @Test
    void matchesNaiveFloat() {
        INDArray x = rand(DataType.FLOAT, 1, 2, 6, 6);
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1).castTo(DataType.FLOAT);
        INDArray actual = run(x, f, 2, 1, new int[] {2, 1, 2, 1}, false, 4.0);
        assertThat(actual.dataType()).isEqualTo(DataType.FLOAT);
        assertAllClose("upfirdn2d float", actual, NaiveOps.upfirdn2d(x, f, 2, 1, new int[] {2, 1, 2, 1}, false, 4.0), 1e-5, 1e-6);
    }

    @Test
    void convenienceWrappersKeepNvlabsSizes() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 6, 6);
        INDArray f = Upfirdn2d.setupFilter(1, 3, 3, 1);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x);
        INDArray up = Upfirdn2d.upsample2d(xv, f, 2, null).eval();
        INDArray down = Upfirdn2d.downsample2d(xv, f, 2, null).eval();
        INDArray same = Upfirdn2d.filter2d(xv, f, null).eval();
        assertAllClose("upsample2d", up, NaiveOps.upfirdn2d(x, f, 2, 1, new int[] {2, 1, 2, 1}, false, 4), 1e-10, 1e-12);
        assertAllClose("downsample2d", down, NaiveOps.upfirdn2d(x, f, 1, 2, new int[] {1, 1, 1, 1}, false, 1), 1e-10, 1e-12);
        assertAllClose("filter2d", same, NaiveOps.upfirdn2d(x, f, 1, 1, new int[] {2, 1, 2, 1}, false, 1), 1e-10, 1e-12);
        assertThat(up.shape()).containsExactly(2, 3, 12, 12);
        assertThat(down.shape()).containsExactly(2, 3, 3, 3);
        assertThat(same.shape()).containsExactly(2, 3, 6, 6);
        // a constant image stays constant in the interior
        INDArray ones = Nd4j.ones(DataType.DOUBLE, 1, 1, 8, 8);
        INDArray u = Upfirdn2d.upsample2d(SameDiff.create().var("o", ones), f, 2, null).eval();
        assertThat(u.getDouble(0, 0, 8, 8)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void gradients() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1, 2, 0.5}, {-1, 3, 0.25}});
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 5, 5));
        SDVariable y = Upfirdn2d.upfirdn2d(x.mul(1.0), f, 2, 2, new int[] {2, -1, 1, 0}, false, 4.0);
        GradCheck.check(sd, y, 100, "x");
        SameDiff sd2 = SameDiff.create();
        SDVariable x2 = sd2.var("x", rand(DataType.DOUBLE, 1, 2, 6, 6));
        GradCheck.check(sd2, Upfirdn2d.upfirdn2d(x2, Nd4j.createFromArray(1.0, 3.0, 3.0, 1.0), 1, 2, new int[] {1, 1, 1, 1}, false, 1), 100, "x");
    }

    /** Gradients of the fast path: depthwise (asymmetric crop/pad), dense and folded transposed conv. */
    @Test
    void fastPathGradients() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1, 2, 0.5}, {-1, 3, 0.25}});
        for (long c : new long[] {2, Upfirdn2d.DENSE_UP_MAX_CHANNELS + 1}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, c, 4, 5));
            GradCheck.check(sd, Upfirdn2d.upfirdn2d(x.mul(1.0), f, 2, 1, new int[] {2, -1, 1, 3}, false, 4.0, c), 60, "x");
            SameDiff sd2 = SameDiff.create();
            SDVariable x2 = sd2.var("x", rand(DataType.DOUBLE, 1, c, 6, 6));
            GradCheck.check(sd2, Upfirdn2d.upfirdn2d(x2.mul(1.0), f, 1, 2, new int[] {-1, 2, 1, 0}, true, 1.0, c), 60, "x");
        }
        // stride 1 (the filter after every up-sampling conv): FirDepthwiseConv's own backward, with the
        // conv's symmetric padding and with an explicit asymmetric pad/crop in front
        INDArray f4 = Upfirdn2d.setupFilter(1, 3, 3, 1);
        for (int[] p : new int[][] {{2, 2, 1, 1}, {2, 1, 2, 1}, {3, 3, 3, 3}}) {
            SameDiff sd3 = SameDiff.create();
            SDVariable x3 = sd3.var("x", rand(DataType.DOUBLE, 1, 3, 5, 6));
            GradCheck.check(sd3, Upfirdn2d.upfirdn2d(x3.mul(1.0), f4, 1, 1, p, false, 1.0, 3), 90, "x");
            assertThat(java.util.Arrays.stream(sd3.getFunction("grad").ops()).map(o -> o.opName()))
                    .as("pads %s", java.util.Arrays.toString(p)).doesNotContain("depthwise_conv2d_bp").contains("depthwise_conv2d");
        }
    }

    @Test
    void rejectsBadInput() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, 1, 3, 3));
        assertThatThrownBy(() -> Upfirdn2d.upfirdn2d(x, Upfirdn2d.setupFilter(1, 3, 3, 1), 1, 1, new int[] {0, 0, 0, 0}, false, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upfirdn2d");
    }
}
