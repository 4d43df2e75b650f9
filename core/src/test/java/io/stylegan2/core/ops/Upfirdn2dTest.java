package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.Upfirdn2dPath;

import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Upfirdn2dTest {
    static INDArray rand(DataType dt, long... shape) {
        Nd4j.getRandom().setSeed(42);
        return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2).castTo(dt);
    }

    /** Builds (and evaluates) with the engine setting {@code upfirdn2d} set to {@code path}. */
    static <T> T withPath(Upfirdn2dPath path, java.util.function.Supplier<T> body) {
        return Engine.with(o -> o.withUpfirdn2d(path), body);
    }

    private static final Upfirdn2dPath[] ALL = Upfirdn2dPath.values();

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
            for (Upfirdn2dPath path : ALL) {
                INDArray actual = withPath(path, () -> run(x, f, up, down, p, flip, gain));
                assertAllClose("upfirdn2d " + path + " up=" + up + " down=" + down + " p=" + java.util.Arrays.toString(p) + " f=" + (f == null ? "id" : f.rank() + "d"), actual, expected, 1e-10, 1e-12);
            }
        }
    }

    private static INDArray runFast(INDArray xv, INDArray f, int up, int down, int[] p, boolean flip, double gain) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", xv).add(0.0);
        return Upfirdn2d.upfirdn2d(x, f, up, down, p, flip, gain, xv.size(1)).eval();
    }

    /**
     * The fast paths (channel count given) against the naive loops: the Java kernel (auto; also
     * up and down together, 2-D kernels that are not separable) and the oneDNN convolutions
     * (depthwise conv, dense and folded transposed conv).
     */
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
                for (Upfirdn2dPath path : new Upfirdn2dPath[] {Upfirdn2dPath.AUTO, Upfirdn2dPath.CONV})
                    assertAllClose("fast upfirdn2d " + path + " C=" + c + " up=" + up + " down=" + down + " p=" + java.util.Arrays.toString(p) + " f=" + f.rank() + "d",
                            withPath(path, () -> runFast(x, f, up, down, p, flip, gain)), expected, 1e-10, 1e-12);
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
                INDArray ref = withPath(Upfirdn2dPath.REFERENCE, () -> run(x, f, ud[0], ud[1], p, false, gain));
                for (Upfirdn2dPath path : new Upfirdn2dPath[] {Upfirdn2dPath.AUTO, Upfirdn2dPath.CONV})
                    assertAllClose("fast " + path + " vs reference float C=" + c + " up=" + ud[0] + " down=" + ud[1],
                            withPath(path, () -> runFast(x, f, ud[0], ud[1], p, false, gain)), ref, 1e-5, 1e-6);
            }
        }
    }

    private static java.util.List<String> opsOf(Upfirdn2dPath path) {
        return withPath(path, () -> {
            SameDiff sd = SameDiff.create();
            Upfirdn2d.upsample2d(sd.var("x", rand(DataType.FLOAT, 1, 4, 6, 6)), Upfirdn2d.setupFilter(1, 3, 3, 1), 2, null, 4);
            return java.util.Arrays.stream(sd.ops()).map(o -> o.opName()).toList();
        });
    }

    @Test
    void pathSettingSelectsTheFormulation() {
        assertThat(opsOf(Upfirdn2dPath.REFERENCE)).doesNotContain("deconv2d", "depthwise_conv2d", "upsampling2d").contains("conv2d");
        assertThat(opsOf(Upfirdn2dPath.CONV)).doesNotContain("upsampling2d").contains("deconv2d");
        assertThat(opsOf(Upfirdn2dPath.AUTO)).containsExactly("upsampling2d"); // the Java kernel, one op
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
        for (Upfirdn2dPath path : ALL) {
            withPath(path, () -> {
                SameDiff sd = SameDiff.create();
                SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 5, 5));
                SDVariable y = Upfirdn2d.upfirdn2d(x.mul(1.0), f, 2, 2, new int[] {2, -1, 1, 0}, false, 4.0);
                GradCheck.check(sd, y, 100, "x");
                SameDiff sd2 = SameDiff.create();
                SDVariable x2 = sd2.var("x", rand(DataType.DOUBLE, 1, 2, 6, 6));
                GradCheck.check(sd2, Upfirdn2d.upfirdn2d(x2, Nd4j.createFromArray(1.0, 3.0, 3.0, 1.0), 1, 2, new int[] {1, 1, 1, 1}, false, 1), 100, "x");
                return null;
            });
        }
    }

    /** Gradients of the oneDNN path: depthwise (asymmetric crop/pad), dense and folded transposed conv. */
    @Test
    void convPathGradients() {
        withPath(Upfirdn2dPath.CONV, () -> {
            convPathGradientCases();
            return null;
        });
    }

    private static void convPathGradientCases() {
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

    /**
     * The Java kernel's backward is the adjoint of its forward: {@code <A x, y> == <x, A^T y>} for
     * up, down, both, crops, asymmetric padding, separable and non-separable kernels, odd sizes
     * (where the forward's floor makes the input size ambiguous from the output's).
     */
    @Test
    void javaKernelBackwardIsTheAdjoint() {
        java.util.Random rnd = new java.util.Random(3);
        for (int trial = 0; trial < 40; trial++) {
            int up = 1 + rnd.nextInt(3), down = 1 + rnd.nextInt(3), kh = 1 + rnd.nextInt(4), kw = 1 + rnd.nextInt(4);
            int h = 3 + rnd.nextInt(6), w = 3 + rnd.nextInt(6);
            int[] p = {rnd.nextInt(5) - 1, rnd.nextInt(5) - 1, rnd.nextInt(5) - 1, rnd.nextInt(5) - 1};
            if (h * up + p[2] + p[3] < kh || w * up + p[0] + p[1] < kw) continue;
            double[] k = new double[kh * kw];
            for (int i = 0; i < k.length; i++) k[i] = rnd.nextGaussian();
            INDArray x = rand(DataType.DOUBLE, 2, 3, h, w);
            long oh = FirKernels.outSize(h, up, down, p[2], p[3], kh, "h"), ow = FirKernels.outSize(w, up, down, p[0], p[1], kw, "w");
            INDArray ax = Nd4j.create(DataType.DOUBLE, 2, 3, oh, ow);
            FirKernels.forward(x, up, down, p, k, kh, kw, ax);
            INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 3, oh, ow).subi(0.5);
            INDArray aty = Nd4j.create(DataType.DOUBLE, 2, 3, h, w);
            FirKernels.adjoint(y, up, down, p, k, kh, kw, aty);
            double lhs = ax.mul(y).sumNumber().doubleValue(), rhs = x.mul(aty).sumNumber().doubleValue();
            assertThat(Math.abs(lhs - rhs)).as("trial %d up %d down %d k %dx%d size %dx%d pad %s", trial, up, down, kh, kw, h, w, java.util.Arrays.toString(p))
                    .isLessThan(1e-12 * (1 + Math.abs(lhs)));
        }
    }

    /**
     * The kernel in float (polyphase row passes) equals the kernel in double (per-output gathers,
     * itself checked against the naive loops here): separable and non-separable filters, up, down,
     * both, crops and asymmetric pads; planes split over threads.
     */
    @Test
    void javaKernelFloatMatchesDouble() {
        INDArray x = rand(DataType.DOUBLE, 2, 24, 33, 31); // > 32768 elements: the parallel split
        INDArray[] filters = {Upfirdn2d.setupFilter(1, 3, 3, 1), Nd4j.createFromArray(new double[][] {{1, 2, 0.5}, {-1, 3, 0.25}})};
        int[][] upDown = {{2, 1}, {1, 2}, {1, 1}, {2, 2}, {3, 1}, {1, 3}};
        int[][] pads = {{2, 1, 1, 2}, {-1, 2, 0, -1}, {3, -1, 2, 4}};
        withPath(Upfirdn2dPath.AUTO, () -> {
            for (INDArray f : filters)
                for (int[] ud : upDown)
                    for (int[] p : pads) {
                        String what = "up=" + ud[0] + " down=" + ud[1] + " p=" + java.util.Arrays.toString(p) + " f=" + f.length();
                        INDArray d = run(x, f, ud[0], ud[1], p, false, 4.0);
                        INDArray fl = run(x.castTo(DataType.FLOAT), f, ud[0], ud[1], p, false, 4.0);
                        assertThat(fl.dataType()).isEqualTo(DataType.FLOAT);
                        assertAllClose("float vs double " + what, fl.castTo(DataType.DOUBLE), d, 1e-5, 1e-5);
                        assertAllClose("double vs naive " + what, d, NaiveOps.upfirdn2d(x, f, ud[0], ud[1], p, false, 4.0), 1e-10, 1e-12);
                    }
            return null;
        });
    }

    /**
     * Gradients through the Java kernel are single ops of it at any order: the backward graph has
     * no convolution, and the backward's own gradient (the forward again) passes a gradient check.
     */
    @Test
    void javaKernelGradientsOfAnyOrder() {
        INDArray f = Nd4j.createFromArray(new double[][] {{1, 2, 0.5}, {-1, 3, 0.25}});
        withPath(Upfirdn2dPath.AUTO, () -> {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, 3, 7, 6));
            GradCheck.check(sd, Upfirdn2d.upfirdn2d(x.mul(1.0), f, 2, 3, new int[] {1, -1, 2, 0}, true, 2.0), 80, "x");
            assertThat(java.util.Arrays.stream(sd.getFunction("grad").ops()).map(o -> o.opName()))
                    .contains("upsampling2d").doesNotContain("conv2d", "deconv2d", "depthwise_conv2d", "conv2d_bp");

            // the backward op as a function of the output gradient g: dx = A^T g, checked w.r.t. g
            SameDiff sd2 = SameDiff.create();
            SDVariable x2 = sd2.var("x2", rand(DataType.DOUBLE, 1, 2, 5, 7));
            SDVariable y2 = Upfirdn2d.upfirdn2d(x2, f, 1, 2, new int[] {2, 1, 0, 1}, false, 1.0);
            SDVariable g = sd2.var("g", rand(DataType.DOUBLE, y2.eval().shape()));
            SDVariable dx = y2.getCreator().doDiff(java.util.List.of(g)).get(0);
            assertThat(dx.eval().shape()).containsExactly(1, 2, 5, 7);
            GradCheck.check(sd2, dx, 80, "g");
            return null;
        });
    }

    @Test
    void rejectsBadInput() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, 1, 3, 3));
        assertThatThrownBy(() -> Upfirdn2d.upfirdn2d(x, Upfirdn2d.setupFilter(1, 3, 3, 1), 1, 1, new int[] {0, 0, 0, 0}, false, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upfirdn2d");
    }
}
