package io.stylegan2.losses;

import io.stylegan2.core.testing.AllClose;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.stylegan2.losses.GradCheck.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class LaplacianPyramidLossTest {
    static final double[] F = {1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0};

    // ---- naive reference on double[h][w] planes (zero padding, symmetric filter) ----
    static double[][] down(double[][] x) {
        int h = x.length, w = x[0].length;
        double[][] t = new double[h][w / 2], o = new double[h / 2][w / 2];
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w / 2; j++)
                for (int k = 0; k < 5; k++) { int p = 2 * j + k - 2; if (p >= 0 && p < w) t[i][j] += F[k] * x[i][p]; }
        for (int i = 0; i < h / 2; i++)
            for (int j = 0; j < w / 2; j++)
                for (int k = 0; k < 5; k++) { int p = 2 * i + k - 2; if (p >= 0 && p < h) o[i][j] += F[k] * t[p][j]; }
        return o;
    }

    static double[][] up(double[][] x) {
        int h = x.length, w = x[0].length;
        double[][] t = new double[h][2 * w], o = new double[2 * h][2 * w];
        // zero-inserted u[2m] = x[m]; out[i] = sum_k 2 f[k] u[i + k - 3] (gain 4 = 2 per axis)
        for (int i = 0; i < h; i++)
            for (int j = 0; j < 2 * w; j++)
                for (int k = 0; k < 5; k++) { int p = j + k - 3; if (p >= 0 && p < 2 * w && p % 2 == 0) t[i][j] += 2 * F[k] * x[i][p / 2]; }
        for (int i = 0; i < 2 * h; i++)
            for (int j = 0; j < 2 * w; j++)
                for (int k = 0; k < 5; k++) { int p = i + k - 3; if (p >= 0 && p < 2 * h && p % 2 == 0) o[i][j] += 2 * F[k] * t[p / 2][j]; }
        return o;
    }

    static List<double[][]> naiveLaplacian(double[][] x, int levels) {
        List<double[][]> g = new ArrayList<>();
        g.add(x);
        for (int j = 1; j < levels; j++) g.add(down(g.get(j - 1)));
        List<double[][]> l = new ArrayList<>();
        for (int j = 0; j < levels - 1; j++) {
            double[][] u = up(g.get(j + 1)), a = g.get(j), d = new double[a.length][a[0].length];
            for (int i = 0; i < a.length; i++) for (int k = 0; k < a[0].length; k++) d[i][k] = a[i][k] - u[i][k];
            l.add(d);
        }
        l.add(g.get(levels - 1));
        return l;
    }

    static double[][] plane(INDArray a, int n, int c) {
        int h = (int) a.size(2), w = (int) a.size(3);
        double[][] p = new double[h][w];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) p[i][j] = a.getDouble(n, c, i, j);
        return p;
    }

    @Test
    void pyramidMatchesNaiveAndReconstructsExactly() {
        INDArray img = randn(5, 2, 3, 16, 16);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", img.dup());
        List<SDVariable> lap = LaplacianPyramidLoss.laplacian(x, 3);
        String[] names = new String[3];
        for (int j = 0; j < 3; j++) names[j] = lap.get(j).rename("L" + j).name();
        LaplacianPyramidLoss.reconstruct(lap).rename("rec");
        Map<String, INDArray> out = sd.output(Map.of(), "L0", "L1", "L2", "rec");
        AllClose.assertAllClose("reconstruction", out.get("rec"), img, 0, 1e-12);
        assertThat(out.get("L2").shape()).containsExactly(2, 3, 4, 4);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++) {
                List<double[][]> ref = naiveLaplacian(plane(img, n, c), 3);
                for (int j = 0; j < 3; j++) {
                    double[][] got = plane(out.get(names[j]), n, c);
                    for (int i = 0; i < got.length; i++)
                        assertThat(got[i]).as("level %d n %d c %d row %d", j, n, c, i).containsExactly(ref.get(j)[i], offset(1e-12));
                }
            }
        // a constant image: the Gaussian of the interior stays constant (filter sums to 1)
        SameDiff s2 = SameDiff.create();
        LaplacianPyramidLoss.gaussian(s2.constant(Nd4j.ones(DataType.DOUBLE, 1, 1, 16, 16)), 2).get(1).rename("g1");
        assertThat(s2.output(Map.of(), "g1").get("g1").getDouble(0, 0, 3, 3)).isCloseTo(1.0, offset(1e-12));
    }

    @Test
    void lossMatchesNaiveForL1AndL2AndHasCorrectGradients() {
        INDArray a = randn(7, 2, 3, 16, 16), b = randn(8, 2, 3, 16, 16);
        for (LaplacianPyramidConfig.Norm norm : LaplacianPyramidConfig.Norm.values()) {
            LaplacianPyramidConfig cfg = new LaplacianPyramidConfig(3, norm, List.of(1.0, 0.5, 2.0));
            double expected = 0;
            for (int j = 0; j < 3; j++) {
                double sum = 0;
                long count = 0;
                for (int n = 0; n < 2; n++)
                    for (int c = 0; c < 3; c++) {
                        double[][] la = naiveLaplacian(plane(a, n, c), 3).get(j), lb = naiveLaplacian(plane(b, n, c), 3).get(j);
                        for (int i = 0; i < la.length; i++)
                            for (int k = 0; k < la[0].length; k++) {
                                double d = la[i][k] - lb[i][k];
                                sum += norm == LaplacianPyramidConfig.Norm.L1 ? Math.abs(d) : d * d;
                                count++;
                            }
                    }
                expected += cfg.weights().get(j) * sum / count;
            }
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", a.dup()), y = sd.var("y", b.dup());
            LaplacianPyramidLoss.loss(x, y, cfg).rename("lap");
            assertThat(sd.output(Map.of(), "lap").get("lap").getDouble(0)).as(norm.name()).isCloseTo(expected, offset(1e-12));
            assertThat(GradCheck.check(sd, "lap", Map.of(), "x", 12, 1e-6, 1e-5, 1e-9)).isGreaterThan(0);
            GradCheck.check(sd, "lap", Map.of(), "y", 6, 1e-6, 1e-5, 1e-9);
        }
    }

    @Test
    void nonSquareFloatImages() {
        INDArray img = randn(11, 1, 2, 8, 16);
        SameDiff sd = SameDiff.create();
        List<SDVariable> lap = LaplacianPyramidLoss.laplacian(sd.constant(img.castTo(DataType.FLOAT)), 3);
        lap.get(2).rename("L2");
        lap.get(0).rename("L0");
        LaplacianPyramidLoss.reconstruct(lap).rename("rec");
        Map<String, INDArray> out = sd.output(Map.of(), "L0", "L2", "rec");
        assertThat(out.get("L2").shape()).containsExactly(1, 2, 2, 4);
        AllClose.assertAllClose("reconstruction (float)", out.get("rec"), img, 0, 1e-5);
        for (int c = 0; c < 2; c++) {
            List<double[][]> ref = naiveLaplacian(plane(img, 0, c), 3);
            AllClose.assertAllClose("L0 c" + c, Nd4j.create(plane(out.get("L0"), 0, c)), Nd4j.create(ref.get(0)), 1e-5, 1e-5);
            AllClose.assertAllClose("L2 c" + c, Nd4j.create(plane(out.get("L2"), 0, c)), Nd4j.create(ref.get(2)), 1e-5, 1e-5);
        }
    }

    @Test
    void configDefaultsAndValidation() {
        LaplacianPyramidConfig d16 = LaplacianPyramidConfig.defaultsFor(16);
        assertThat(d16.levels()).isEqualTo(2);
        assertThat(d16.norm()).isEqualTo(LaplacianPyramidConfig.Norm.L1);
        assertThat(d16.weights()).containsExactly(1.0, 0.25);
        assertThat(LaplacianPyramidConfig.defaultsFor(256).levels()).isEqualTo(6);
        assertThat(LaplacianPyramidConfig.defaultsFor(1024).levels()).isEqualTo(8);
        assertThat(LaplacianPyramidConfig.defaultsFor(8).levels()).isEqualTo(1);
        assertThatThrownBy(() -> new LaplacianPyramidConfig(2, LaplacianPyramidConfig.Norm.L1, List.of(1.0))).hasMessageContaining("weights");
        assertThatThrownBy(() -> LaplacianPyramidConfig.of(0, LaplacianPyramidConfig.Norm.L2)).hasMessageContaining("level");
        // identical images: zero loss
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.constant(randn(1, 1, 3, 16, 16));
        LaplacianPyramidLoss.loss(x, x, 16).rename("z");
        assertThat(sd.output(Map.of(), "z").get("z").getDouble(0)).isEqualTo(0.0);
    }
}
