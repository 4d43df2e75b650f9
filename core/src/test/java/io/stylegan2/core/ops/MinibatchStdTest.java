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

class MinibatchStdTest {
    /** Direct loops: group of sample i = {j : j mod n == i mod n}, n = N / G. */
    static INDArray naive(INDArray x, int groupSize, int f) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), w = (int) x.size(3);
        int g = Math.min(groupSize, n), groups = n / g, cp = c / f;
        INDArray out = Nd4j.zeros(DataType.DOUBLE, n, c + f, h, w);
        out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, c)).assign(x);
        for (int grp = 0; grp < groups; grp++)
            for (int ff = 0; ff < f; ff++) {
                double acc = 0;
                for (int cc = ff * cp; cc < (ff + 1) * cp; cc++)
                    for (int yy = 0; yy < h; yy++)
                        for (int xx = 0; xx < w; xx++) {
                            double mean = 0;
                            for (int m = 0; m < g; m++) mean += x.getDouble(m * groups + grp, cc, yy, xx);
                            mean /= g;
                            double var = 0;
                            for (int m = 0; m < g; m++) {
                                double dlt = x.getDouble(m * groups + grp, cc, yy, xx) - mean;
                                var += dlt * dlt;
                            }
                            acc += Math.sqrt(var / g + 1e-8);
                        }
                double v = acc / (cp * h * w);
                for (int m = 0; m < g; m++)
                    for (int yy = 0; yy < h; yy++)
                        for (int xx = 0; xx < w; xx++) out.putScalar(new long[] {m * groups + grp, c + ff, yy, xx}, v);
            }
        return out;
    }

    @Test
    void matchesNaive() {
        INDArray x = rand(DataType.DOUBLE, 4, 4, 3, 3);
        int[][] cfgs = {{2, 1}, {4, 2}, {8, 1}, {2, 4}};
        for (int[] cfg : cfgs) {
            SameDiff sd = SameDiff.create();
            INDArray static_ = MinibatchStd.minibatchStd(sd.var("x", x), cfg[0], cfg[1]).eval();
            INDArray dynamic = MinibatchStd.minibatchStd(sd.var("x2", x).add(0.0), cfg[0], cfg[1]).eval();
            assertAllClose("mbstd static G=" + cfg[0] + " F=" + cfg[1], static_, naive(x, cfg[0], cfg[1]), 1e-10, 1e-12);
            assertAllClose("mbstd dynamic G=" + cfg[0] + " F=" + cfg[1], dynamic, naive(x, cfg[0], cfg[1]), 1e-10, 1e-12);
        }
        SameDiff sd = SameDiff.create();
        INDArray fl = MinibatchStd.minibatchStd(sd.var("x", x.castTo(DataType.FLOAT)), 2, 1).eval();
        assertThat(fl.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(fl.shape()).containsExactly(4, 5, 3, 3);
        assertAllClose("mbstd float", fl, naive(x, 2, 1), 1e-5, 1e-6);
    }

    @Test
    void gradients() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 4, 2, 3, 3));
        GradCheck.check(sd, MinibatchStd.minibatchStd(x.add(0.0), 2, 1, 4), 72, "x");
    }

    @Test
    void rejectsIndivisibleBatch() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 6, 2, 2, 2));
        assertThatThrownBy(() -> MinibatchStd.minibatchStd(x, 4, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minibatchStd").hasMessageContaining("6");
    }
}
