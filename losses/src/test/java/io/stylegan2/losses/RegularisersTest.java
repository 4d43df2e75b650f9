package io.stylegan2.losses;

import io.stylegan2.core.testing.AllClose;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.stylegan2.losses.GradCheck.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class RegularisersTest {
    static double scalar(SameDiff sd, String name) {
        return sd.output(Map.of(), name).get(name).getDouble(0);
    }

    /** NVlabs' loop on one [H, W] plane, naively. */
    static double naiveNoiseReg(double[][] n) {
        double reg = 0;
        while (true) {
            int h = n.length, w = n[0].length;
            double sx = 0, sy = 0;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++) {
                    sx += n[i][j] * n[i][(j - 1 + w) % w];
                    sy += n[i][j] * n[(i - 1 + h) % h][j];
                }
            reg += Math.pow(sx / (h * w), 2) + Math.pow(sy / (h * w), 2);
            if (h <= 8) return reg;
            double[][] p = new double[h / 2][w / 2];
            for (int i = 0; i < h / 2; i++)
                for (int j = 0; j < w / 2; j++) p[i][j] = (n[2 * i][2 * j] + n[2 * i + 1][2 * j] + n[2 * i][2 * j + 1] + n[2 * i + 1][2 * j + 1]) / 4;
            n = p;
        }
    }

    static double[][] plane(INDArray a) {
        int h = (int) a.size(2), w = (int) a.size(3);
        double[][] p = new double[h][w];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) p[i][j] = a.getDouble(0, 0, i, j);
        return p;
    }

    @Test
    void rollMatchesTorchSemantics() {
        INDArray a = randn(1, 2, 3, 4, 5);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.constant(a);
        Regularisers.roll(x, 1, 3, 5).rename("rx");
        Regularisers.roll(x, 2, 2, 4).rename("ry");
        Map<String, INDArray> out = sd.output(Map.of(), "rx", "ry");
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 5; j++) {
                        assertThat(out.get("rx").getDouble(n, c, i, j)).isEqualTo(a.getDouble(n, c, i, (j - 1 + 5) % 5));
                        assertThat(out.get("ry").getDouble(n, c, i, j)).isEqualTo(a.getDouble(n, c, (i - 2 + 4) % 4, j));
                    }
    }

    @Test
    void noiseRegulariserMatchesNaiveAndHasCorrectGradients() {
        INDArray n16 = randn(3, 1, 1, 16, 16), n4 = randn(4, 1, 1, 4, 4);
        // correlated noise so the terms are not tiny
        n16.addi(Nd4j.concat(3, n16.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 16)),
                n16.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1))));
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("n16", n16.dup()), b = sd.var("n4", n4.dup());
        Regularisers.noise(a, 16, 16).rename("r16");
        Map<String, SDVariable> maps = new LinkedHashMap<>();
        maps.put("b16.conv0", a);
        maps.put("b4.conv1", b);
        Regularisers.noise(maps).rename("all");
        double e16 = naiveNoiseReg(plane(n16)), e4 = naiveNoiseReg(plane(n4));
        assertThat(scalar(sd, "r16")).isCloseTo(e16, offset(1e-12));
        assertThat(scalar(sd, "all")).isCloseTo(e16 + e4, offset(1e-12));
        assertThat(e16).isGreaterThan(1e-3);
        assertThat(GradCheck.check(sd, "all", Map.of(), "n16", 20, 1e-6, 1e-5, 1e-10)).isGreaterThan(0);
        GradCheck.check(sd, "all", Map.of(), "n4", 16, 1e-6, 1e-5, 1e-10);
    }

    @Test
    void normaliseNoiseStandardisesInPlace() {
        INDArray n = randn(5, 1, 1, 8, 8).muli(3).addi(2).castTo(DataType.FLOAT);
        INDArray same = n;
        Regularisers.normaliseNoise(n);
        assertThat(same).isSameAs(n);
        assertThat(n.meanNumber().doubleValue()).isCloseTo(0, offset(1e-6));
        assertThat(n.castTo(DataType.DOUBLE).mul(n.castTo(DataType.DOUBLE)).meanNumber().doubleValue()).isCloseTo(1, offset(1e-5));
    }

    @Test
    void latentRegularisersMatchNaiveAndHaveCorrectGradients() {
        INDArray w = randn(6, 2, 3, 4), avg = randn(7, 4);
        double sumSq = 0, delta = 0, deltaNorm = 0, frob = 0;
        for (int n = 0; n < 2; n++) {
            double codeSq = 0;
            for (int i = 0; i < 3; i++)
                for (int k = 0; k < 4; k++) codeSq += Math.pow(w.getDouble(n, i, k) - avg.getDouble(k), 2);
            frob += Math.sqrt(codeSq) / 2;        // PadInv: Frobenius norm per code, mean over N = 2
        }
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++) {
                double r = 0, d = 0;
                for (int k = 0; k < 4; k++) {
                    r += Math.pow(w.getDouble(n, i, k) - avg.getDouble(k), 2);
                    d += Math.pow(w.getDouble(n, i, k) - w.getDouble(n, 0, k), 2);
                }
                sumSq += r;
                delta += d / 2;          // mean over N = 2
                deltaNorm += Math.sqrt(d) / 2;
            }
        SameDiff sd = SameDiff.create();
        SDVariable ws = sd.var("ws", w.dup());
        Regularisers.wNorm(ws, avg, Regularisers.Reduction.MEAN).rename("wmean");
        Regularisers.wNorm(ws, avg, Regularisers.Reduction.SUM).rename("wsum");
        Regularisers.wNorm(ws, avg, Regularisers.Reduction.FROBENIUS).rename("wfrob");
        Regularisers.deltaToFirst(ws).rename("delta");
        Regularisers.deltaToFirstNorm(ws, 1e-12).rename("deltaNorm");
        Regularisers.featureOffset(ws).rename("f");
        assertThat(scalar(sd, "wmean")).isCloseTo(sumSq / 6, offset(1e-12));
        assertThat(scalar(sd, "wsum")).isCloseTo(sumSq, offset(1e-12));
        assertThat(scalar(sd, "wfrob")).isCloseTo(frob, offset(1e-9));
        assertThat(scalar(sd, "delta")).isCloseTo(delta, offset(1e-12));
        assertThat(scalar(sd, "deltaNorm")).isCloseTo(deltaNorm, offset(1e-9));
        assertThat(scalar(sd, "f")).isCloseTo(w.mul(w).meanNumber().doubleValue(), offset(1e-12));
        for (String l : new String[] {"wmean", "wsum", "wfrob", "delta", "deltaNorm", "f"}) GradCheck.check(sd, l, Map.of(), "ws", 24, 1e-6, 1e-5, 1e-9);

        // W+ with equal rows (the usual start): the plain-norm delta is 0 with a finite, zero gradient
        SameDiff s2 = SameDiff.create();
        SDVariable eq = s2.var("eq", randn(8, 1, 1, 4).repeat(1, 3));
        Regularisers.deltaToFirstNorm(eq, 1e-12).rename("dn");
        s2.setLossVariables("dn");
        assertThat(scalar(s2, "dn")).isEqualTo(0.0);
        INDArray g = s2.calculateGradients(Map.of(), "eq").get("eq");
        assertThat(g.amaxNumber().doubleValue()).isEqualTo(0.0);
        // PadInv's W-norm at w_avg (a fresh encoder's output): 0 with a zero gradient, not NaN
        SameDiff s3 = SameDiff.create();
        INDArray a3 = randn(9, 4);
        SDVariable atAvg = s3.var("at", a3.reshape(1, 1, 4).repeat(1, 3).reshape(1, 3, 4).dup());
        Regularisers.wNorm(atAvg, a3, Regularisers.Reduction.FROBENIUS).rename("fz");
        s3.setLossVariables("fz");
        assertThat(scalar(s3, "fz")).isLessThan(1e-5);
        assertThat(s3.calculateGradients(Map.of(), "at").get("at").amaxNumber().doubleValue()).isEqualTo(0.0);
    }

    @Test
    void gaussianPriorFitsMeanAndInverseCovarianceAndItsLossIsMahalanobis() {
        INDArray w = randn(9, 300, 4);
        w.getColumn(1).muli(3).addi(1);
        w.getColumn(2).addi(w.getColumn(0).mul(0.5));
        GaussianPrior prior = GaussianPrior.fromW(w);
        INDArray v = GaussianPrior.invertLrelu(w);
        for (int i = 0; i < 300; i++)
            for (int k = 0; k < 4; k++) {
                double x = w.getDouble(i, k);
                assertThat(v.getDouble(i, k)).isEqualTo(x >= 0 ? x : 5 * x);
            }
        AllClose.assertAllClose("mean", prior.mean(), v.mean(0), 0, 1e-12);
        INDArray c = v.subRowVector(v.mean(0));
        INDArray cov = c.transpose().mmul(c).divi(299);
        AllClose.assertAllClose("inv(cov) cov", prior.invCov().mmul(cov), Nd4j.eye(4).castTo(DataType.DOUBLE), 0, 1e-6);

        INDArray q = randn(10, 2, 3, 4);
        double expected = 0;
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++) {
                double[] d = new double[4];
                for (int k = 0; k < 4; k++) {
                    double x = q.getDouble(n, i, k);
                    d[k] = (x >= 0 ? x : 5 * x) - prior.mean().getDouble(k);
                }
                for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) expected += d[a] * prior.invCov().getDouble(a, b) * d[b] / 6;
            }
        SameDiff sd = SameDiff.create();
        prior.loss(sd.var("w", q.dup())).rename("prior");
        assertThat(scalar(sd, "prior")).isCloseTo(expected, offset(1e-9 * Math.abs(expected)));
        assertThat(GradCheck.check(sd, "prior", Map.of(), "w", 24, 1e-6, 1e-5, 1e-9)).isGreaterThan(0);
    }
}
