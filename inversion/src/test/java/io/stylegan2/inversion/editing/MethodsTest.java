package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** GANSpace, SeFa and InterFaceGAN on a tiny random generator and on synthetic data. */
class MethodsTest {
    static final GeneratorConfig CFG = GeneratorConfig.nvlabs(16, 16, 2, 16, 3, 128, 16);   // num_ws 6
    static Generator g;

    @TempDir Path dir;

    @BeforeAll
    static void load() {
        g = Generator.random(CFG, 7);
    }

    @AfterAll
    static void close() {
        g.close();
    }

    private static double dot(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    /** PCA of data with a known covariance recovers its axes and standard deviations. */
    @Test
    void pcaRecoversKnownAxes() {
        int n = 20_000, d = 5;
        Random rnd = new Random(1);
        double[] sd = {3, 2, 1, 0.5, 0.25};
        double[][] x = new double[n][d];
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) x[i][k] = sd[k] * rnd.nextGaussian() + 7;
        // rotate the axes: swap 0 and 2, so pc0 is e2
        for (double[] r : x) { double t = r[0]; r[0] = r[2]; r[2] = t; }
        GanSpace.Result res = GanSpace.pca(Nd4j.createFromArray(x), 3, new LayerRange(0, 4), Map.of());
        assertThat(res.directions()).hasSize(3);
        Direction pc0 = res.directions().get(0);
        assertThat(Math.abs(pc0.vector().getDouble(2))).isCloseTo(1, within(1e-3));
        assertThat(pc0.scale()).isCloseTo(3, within(0.05));
        assertThat(res.directions().get(1).scale()).isCloseTo(2, within(0.05));
        assertThat(Math.abs(res.directions().get(2).vector().getDouble(0))).isCloseTo(1, within(1e-3));
        assertThat(pc0.end()).hasValue(4);
        assertThat(res.mean().getDouble(1)).isCloseTo(7, within(0.05));
        assertThat((Double) pc0.provenance().params().get("explained_variance")).isCloseTo(9 / 14.3125, within(0.01));
    }

    @Test
    void ganspaceOnAGenerator() {
        GanSpace.Result res = GanSpace.compute(g, 4, 2000, 3, LayerRange.all(CFG.numWs()));
        List<Direction> ds = res.directions();
        assertThat(ds).extracting(Direction::name).containsExactly("pc0", "pc1", "pc2", "pc3");
        for (int i = 0; i < 4; i++) {
            assertThat(ds.get(i).vector().norm2Number().doubleValue()).isCloseTo(1, within(1e-9));
            for (int j = 0; j < i; j++) assertThat(dot(ds.get(i).vector(), ds.get(j).vector())).isCloseTo(0, within(1e-9));
            if (i > 0) assertThat(ds.get(i).scale()).isLessThanOrEqualTo(ds.get(i - 1).scale());
        }
        // the stdev along pc0 is the std of projected samples (fresh samples, same seed -> same w)
        INDArray w = g.mapping(sampleZ(2000, 3), 1.0).get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.DOUBLE);
        INDArray proj = w.mmul(ds.get(0).vector().reshape(-1, 1));
        double std = proj.stdNumber().doubleValue();
        assertThat(ds.get(0).scale()).isCloseTo(std, within(1e-6 * Math.max(1, std)));
        // deterministic
        assertThat(GanSpace.compute(g, 1, 2000, 3, LayerRange.all(CFG.numWs())).directions().get(0).vector())
                .isEqualTo(ds.get(0).vector());
    }

    private static INDArray sampleZ(int n, long seed) {
        Random rnd = new Random(seed);
        double[] z = new double[n * CFG.zDim()];
        for (int i = 0; i < z.length; i++) z[i] = rnd.nextGaussian();
        return Nd4j.create(z, new long[]{n, CFG.zDim()}, DataType.FLOAT);
    }

    @Test
    void sefaLayersFollowTheOfficialPort() {
        // rows: 0 b4.conv1 | 1 b8.conv0 | 2 b8.conv1 | 3 b16.conv0 | 4 b16.conv1 | 5 final torgb
        assertThat(SeFa.layers(g, LayerRange.all(6), false))
                .containsExactly("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1", "b16.torgb");
        assertThat(SeFa.layers(g, new LayerRange(0, 2), false)).containsExactly("b4.conv1", "b8.conv0");
        assertThat(SeFa.layers(g, new LayerRange(0, 2), true)).containsExactly("b4.conv1", "b8.conv0", "b4.torgb");
    }

    /** The top SeFa direction maximises sum_l |normalise_rows(A_l) v|^2 with that value as eigenvalue. */
    @Test
    void sefaIsTheTopEigenvectorOfNormalisedAffineWeights() {
        LayerRange rows = new LayerRange(0, 3);
        List<Direction> ds = SeFa.compute(g, 3, rows);
        assertThat(ds).hasSize(3);
        List<String> layers = SeFa.layers(g, rows, false);
        double[] objective = new double[3];
        for (int i = 0; i < 3; i++) {
            Direction d = ds.get(i);
            assertThat(d.start()).isZero();
            assertThat(d.end()).hasValue(3);
            assertThat(d.scale()).isEqualTo(1.0);
            assertThat(d.vector().norm2Number().doubleValue()).isCloseTo(1, within(1e-9));
            for (String l : layers) {
                // scaling A by the weight gain must not matter: use the raw weight times 1/sqrt(w_dim)
                INDArray a = g.params().get("synthesis." + l + ".affine.weight").castTo(DataType.DOUBLE).mul(1 / Math.sqrt(CFG.wDim()));
                INDArray an = a.divColumnVector(a.norm2(1).reshape(-1, 1));
                INDArray av = an.mmul(d.vector().reshape(-1, 1));
                objective[i] += av.mul(av).sumNumber().doubleValue();
            }
            assertThat(objective[i]).isCloseTo((Double) d.provenance().params().get("eigenvalue"), within(1e-9));
        }
        assertThat(objective[0]).isGreaterThanOrEqualTo(objective[1]);
        assertThat(objective[1]).isGreaterThanOrEqualTo(objective[2]);
        // a random unit vector scores below the top eigenvalue
        INDArray r = Nd4j.createFromArray(new Random(5).doubles(CFG.wDim()).map(x -> x - 0.5).toArray());
        r.divi(r.norm2Number());
        double obj = 0;
        for (String l : layers) {
            INDArray a = g.params().get("synthesis." + l + ".affine.weight").castTo(DataType.DOUBLE);
            INDArray av = a.divColumnVector(a.norm2(1).reshape(-1, 1)).mmul(r.reshape(-1, 1));
            obj += av.mul(av).sumNumber().doubleValue();
        }
        assertThat(obj).isLessThan(objective[0]);
        assertThatThrownBy(() -> SeFa.compute(g, 3, new LayerRange(0, 7))).hasMessageContaining("num_ws");
    }

    /** Labels from a known hyperplane: the recovered normal has cosine > 0.95 with it. */
    @Test
    void interfaceganRecoversAKnownHyperplane() {
        int n = 2000, d = 16;
        Random rnd = new Random(11);
        double[] normal = new double[d];
        for (int k = 0; k < d; k++) normal[k] = rnd.nextGaussian();
        double nn = Math.sqrt(java.util.Arrays.stream(normal).map(v -> v * v).sum());
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                x[i][k] = 2 * rnd.nextGaussian() + 0.3 * k;
                s += x[i][k] * normal[k] / nn;
            }
            y[i] = s > 1.0 ? 1 : -1;
        }
        InterFaceGan.Result r = InterFaceGan.fit("smile", Nd4j.createFromArray(x), y, InterFaceGan.Options.DEFAULT);
        double cos = 0;
        for (int k = 0; k < d; k++) cos += r.normal()[k] * normal[k] / nn;
        assertThat(cos).isGreaterThan(0.95);
        assertThat(r.trainAccuracy()).isGreaterThan(0.95);
        assertThat(r.offset()).isCloseTo(1.0, within(0.3));
        assertThat(r.direction().space()).isEqualTo(LatentSpace.W);
        assertThat(r.direction().name()).isEqualTo("smile");
        assertThat(r.direction().vector().norm2Number().doubleValue()).isCloseTo(1, within(1e-9));
        // W+ latents give a W+ direction
        INDArray wp = Nd4j.createFromArray(x).reshape(n, 2, d / 2);
        InterFaceGan.Result r2 = InterFaceGan.fit("smile+", wp, y, new InterFaceGan.Options(1e-3, 300));
        assertThat(r2.direction().space()).isEqualTo(LatentSpace.W_PLUS);
        assertThat(r2.direction().vector().shape()).containsExactly(2, d / 2);
    }

    @Test
    void labelsCsv() throws Exception {
        Path bin = dir.resolve("bin.csv");
        Files.writeString(bin, "index,label\n0,1\n2,0\n# comment\n\n3,1\n");
        assertThat(Labels.read(bin, 5, 0.5)).containsExactly(1, 0, -1, 1, 0);
        Path names = dir.resolve("scores.csv");
        Files.writeString(names, "name,score\nimg0000.png,0.9\nimg0001.png,0.1\nimg0002.png,0.5\nimg0003.png,0.7\n");
        assertThat(Labels.read(names, 4, 0.5)).containsExactly(1, -1, -1, 1);
        assertThat(Labels.read(names, 4, 0.25)).containsExactly(1, -1, 0, 0);
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "0,1\n9,0\n");
        assertThatThrownBy(() -> Labels.read(bad, 4, 0.5)).hasMessageContaining("out of range");
    }

    @Test
    void conditionalManipulationRemovesTheConditions() {
        Direction a = Direction.w("a", Nd4j.createFromArray(1.0, 1.0, 0, 0), null);
        Direction b = Direction.w("b", Nd4j.createFromArray(0, 1.0, 0, 0), null);
        Direction c = Direction.w("c", Nd4j.createFromArray(0, 0, 0.6, 0.8), null);
        Direction p = InterFaceGan.conditional(a, List.of(b, c, b));
        assertThat(p.name()).isEqualTo("a|b|c|b");
        assertThat(p.vector().toDoubleVector()).containsExactly(new double[]{Math.sqrt(2), 0, 0, 0}, within(1e-12));
        assertThatThrownBy(() -> InterFaceGan.conditional(b, List.of(Direction.w("b2", Nd4j.createFromArray(0, 2.0, 0, 0), null))))
                .hasMessageContaining("span");
    }
}
