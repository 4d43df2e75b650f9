package io.stylegan2.losses.lpips;

import io.stylegan2.core.engine.Engine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** LPIPS on random weights: gradients (float64 central differences), identities, ops, shapes, file round trip. */
class LpipsTest {
    private static Lpips alex, squeeze;

    @BeforeAll
    static void setUp() {
        Engine.get();
        alex = Lpips.create(LpipsNet.ALEX, randomWeights(LpipsNet.ALEX, 11));
        squeeze = Lpips.create(LpipsNet.SQUEEZE, randomWeights(LpipsNet.SQUEEZE, 12));
    }

    static Map<String, INDArray> randomWeights(LpipsNet net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : net.expectedShapes().entrySet()) {
            long[] s = e.getValue();
            INDArray a;
            if (e.getKey().startsWith("lin")) a = Nd4j.rand(DataType.FLOAT, s);                     // >= 0, as the official heads
            else if (s.length == 4) a = Nd4j.randn(DataType.FLOAT, s).muli(Math.sqrt(2.0 / (s[1] * s[2] * s[3])));
            else a = Nd4j.randn(DataType.FLOAT, s).muli(0.05);
            m.put(e.getKey(), a);
        }
        return m;
    }

    private static INDArray image(long seed, int n, int h, int w, DataType dt) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(dt, n, 3, h, w).muli(2).subi(1);
    }

    @Test
    void gradientAlex() {
        gradCheck(alex, 32, 32);
    }

    @Test
    void gradientSqueezeThroughCeilModePools() {
        // 34x34: conv1 -> 16, then every ceil-mode pool (16 -> 8 -> 4 -> 2) needs a padded last window
        gradCheck(squeeze, 34, 34);
    }

    private static void gradCheck(Lpips lpips, int h, int w) {
        SameDiff sd = SameDiff.create();
        INDArray x0 = image(1, 2, h, w, DataType.DOUBLE);
        INDArray y0 = image(2, 2, h, w, DataType.DOUBLE);
        SDVariable x = sd.var("x", x0);
        SDVariable y = sd.constant("y", y0);
        Lpips.Terms t = lpips.terms(x, y, h, w, false, true);
        // distances weighted differently per image, plus a weighted read of the spatial map
        INDArray r = Nd4j.rand(DataType.DOUBLE, 2, 1, h, w);
        SDVariable loss = t.distance().mul(sd.constant(Nd4j.createFromArray(1.0, 0.7))).sum()
                .add(t.spatialMap().mul(sd.constant(r)).sum().mul(0.01));
        sd.setLossVariables(loss);
        INDArray g = sd.calculateGradients(Collections.emptyMap(), "x").get("x");
        assertThat(g.shape()).containsExactly(2, 3, h, w);
        INDArray arr = sd.getVariable("x").getArr();
        INDArray x0c = arr.dup();
        // directional derivatives along dense random directions: every element of the gradient counts
        Nd4j.getRandom().setSeed(5);
        double eps = 1e-6, maxErr = 0;
        for (int k = 0; k < 3; k++) {
            INDArray v = Nd4j.randn(DataType.DOUBLE, arr.shape());
            arr.assign(x0c.add(v.mul(eps)));
            double lp = sd.output(Collections.emptyMap(), loss.name()).get(loss.name()).getDouble(0);
            arr.assign(x0c.sub(v.mul(eps)));
            double lm = sd.output(Collections.emptyMap(), loss.name()).get(loss.name()).getDouble(0);
            arr.assign(x0c);
            double num = (lp - lm) / (2 * eps), ana = g.mul(v).sumNumber().doubleValue();
            maxErr = Math.max(maxErr, Math.abs(num - ana));
            assertThat(ana).as("directional derivative %d", k).isCloseTo(num, within(1e-6 + 1e-4 * Math.abs(num)));
        }
        assertThat(g.amaxNumber().doubleValue()).isGreaterThan(0);
        System.out.printf("LPIPS-%s gradient check: max |analytic - numeric| = %.3g%n", lpips.net().id(), maxErr);
    }

    @Test
    void ceilModeMaxPoolMatchesTorchSemantics() {
        LpipsNet.MaxPool p = new LpipsNet.MaxPool(3, 2, true);
        for (int n : new int[] {2, 7, 8, 16}) {
            INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 2, n, n + 1).subi(2); // all negative: padding must never win
            SameDiff sd = SameDiff.create();
            SDVariable out = Lpips.maxPool(sd.constant(x), p, n, n + 1);
            INDArray got = out.eval();
            int oh = LpipsNet.poolOut(n, p), ow = LpipsNet.poolOut(n + 1, p);
            assertThat(oh).isEqualTo((int) Math.ceil((n - 3) / 2.0) + 1);
            assertThat(got.shape()).containsExactly(1, 2, oh, ow);
            for (int c = 0; c < 2; c++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int a = 2 * i; a < Math.min(2 * i + 3, n); a++)
                            for (int b = 2 * j; b < Math.min(2 * j + 3, n + 1); b++) m = Math.max(m, x.getDouble(0, c, a, b));
                        assertThat(got.getDouble(0, c, i, j)).isEqualTo(m);
                    }
        }
    }

    @Test
    void bilinearUpsampleMatchesTorchFormula() {
        int h = 3, w = 5, oh = 8, ow = 13;
        INDArray m = Nd4j.rand(DataType.DOUBLE, 2, h, w);
        SameDiff sd = SameDiff.create();
        INDArray got = Lpips.upsample(sd, sd.constant(m), h, w, oh, ow, DataType.DOUBLE).eval();
        assertThat(got.shape()).containsExactly(2, oh, ow);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double sy = Math.max((i + 0.5) * h / oh - 0.5, 0), sx = Math.max((j + 0.5) * w / ow - 0.5, 0);
                    int y0 = (int) sy, x0 = (int) sx, y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
                    double ly = sy - y0, lx = sx - x0;
                    double e = (1 - ly) * ((1 - lx) * m.getDouble(n, y0, x0) + lx * m.getDouble(n, y0, x1))
                            + ly * ((1 - lx) * m.getDouble(n, y1, x0) + lx * m.getDouble(n, y1, x1));
                    assertThat(got.getDouble(n, i, j)).isCloseTo(e, within(1e-12));
                }
        INDArray id = Lpips.bilinearMatrix(7, 7, DataType.DOUBLE);
        assertThat(id).isEqualTo(Nd4j.eye(7).castTo(DataType.DOUBLE));
    }

    @Test
    void identitySymmetryNormalizeAndShapes() {
        INDArray x = image(3, 2, 34, 32, DataType.FLOAT), y = image(4, 2, 34, 32, DataType.FLOAT);
        for (Lpips l : new Lpips[] {alex, squeeze}) {
            INDArray dxy = l.distance(x, y), dyx = l.distance(y, x);
            assertThat(dxy.shape()).containsExactly(2);
            assertThat(dxy.getDouble(0)).isGreaterThan(0);
            assertThat(dxy).isEqualTo(dyx);
            assertThat(l.distance(x, x)).isEqualTo(Nd4j.zeros(DataType.FLOAT, 2));
            INDArray per = l.perLayer(x, y, false);
            assertThat(per.shape()).containsExactly(2, l.net().numLayers());
            assertThat(per.sum(1).getDouble(1)).isCloseTo(dxy.getDouble(1), within(1e-6));
            // normalize=true takes [0, 1]
            INDArray dn = l.distance(x.add(1).div(2), y.add(1).div(2), true);
            assertThat(dn.getDouble(0)).isCloseTo(dxy.getDouble(0), within(1e-6));
            INDArray map = l.spatialMap(x, y, false);
            assertThat(map.shape()).containsExactly(2, 1, 34, 32);
            assertThat(map.minNumber().doubleValue()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void clearShapeErrors() {
        INDArray x = image(3, 1, 32, 32, DataType.FLOAT);
        assertThatThrownBy(() -> alex.distance(x, image(4, 1, 32, 33, DataType.FLOAT))).hasMessageContaining("same shape");
        assertThatThrownBy(() -> alex.distance(Nd4j.rand(DataType.FLOAT, 1, 1, 32, 32), Nd4j.rand(DataType.FLOAT, 1, 1, 32, 32)))
                .hasMessageContaining("[N, 3, H, W]");
        assertThatThrownBy(() -> alex.distance(image(1, 1, 24, 24, DataType.FLOAT), image(2, 1, 24, 24, DataType.FLOAT)))
                .hasMessageContaining("too small").hasMessageContaining("minimum is 31x31");
        assertThat(LpipsNet.VGG.minSize()).isEqualTo(16);
        assertThat(LpipsNet.SQUEEZE.minSize()).isEqualTo(17);
        assertThat(LpipsNet.poolOut(2, new LpipsNet.MaxPool(3, 2, true))).isEqualTo(1);  // torch: ceil mode accepts 2 < k
        assertThat(LpipsNet.poolOut(2, new LpipsNet.MaxPool(3, 2, false))).isEqualTo(0);
        SameDiff sd = SameDiff.create();
        SDVariable p = sd.placeHolder("p", DataType.FLOAT, -1, 3, 32, 32);
        assertThatThrownBy(() -> alex.terms(p, p, 64, 64, false, false)).hasMessageContaining("[N, 3, 64, 64]");
        Map<String, INDArray> w = randomWeights(LpipsNet.ALEX, 1);
        w.remove("lin4.model.1.weight");
        w.put("features.0.bias", Nd4j.zeros(DataType.FLOAT, 63));
        assertThatThrownBy(() -> Lpips.create(LpipsNet.ALEX, w))
                .hasMessageContaining("missing lin4.model.1.weight").hasMessageContaining("features.0.bias has shape [63]");
    }

    @Test
    void graphApiStaticShapeAndDeadFeatures() {
        // relu1 is 0 everywhere (bias -100): the channel norm is 0, the reference's sqrt gradient would be NaN
        Map<String, INDArray> w = randomWeights(LpipsNet.ALEX, 3);
        w.get("features.0.bias").assign(-100);
        Lpips dead = Lpips.create(LpipsNet.ALEX, w);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", image(7, 2, 32, 32, DataType.FLOAT));
        SDVariable y = sd.constant("y", image(8, 2, 32, 32, DataType.FLOAT));
        SDVariable d = dead.distance(x, y);               // size from the variable's static shape
        SDVariable d2 = alex.distance(x, y);               // a second LPIPS in the same graph
        sd.setLossVariables(d.add(d2).sum());
        INDArray g = sd.calculateGradients(Collections.emptyMap(), "x").get("x");
        assertThat(g.isNaN().any() || g.isInfinite().any()).isFalse();
        assertThat(g.amaxNumber().doubleValue()).isGreaterThan(0);
        assertThat(d.eval().getDouble(0)).isEqualTo(0.0);           // every layer is input-independent
        SDVariable op = x.mul(1.0);
        assertThatThrownBy(() -> alex.distance(op, y)).hasMessageContaining("distance(x, y, height, width, normalize)");
        assertThat(alex.distance(op, y, 32, 32, false).eval()).isEqualTo(d2.eval());
    }

    @Test
    void nativeFileRoundTrip(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("lpips-squeeze.safetensors");
        squeeze.save(f);
        try (Lpips back = Lpips.load(f)) {
            assertThat(back.net()).isEqualTo(LpipsNet.SQUEEZE);
            INDArray x = image(5, 1, 32, 32, DataType.FLOAT), y = image(6, 1, 32, 32, DataType.FLOAT);
            assertThat(back.distance(x, y)).isEqualTo(squeeze.distance(x, y));
        }
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, Files.readAllBytes(f));
        io.stylegan2.core.io.Safetensors.write(bad, Map.of("a", Nd4j.zeros(DataType.FLOAT, 1)), Map.of("format", "other"));
        assertThatThrownBy(() -> Lpips.load(bad)).isInstanceOf(IOException.class).hasMessageContaining("not a native LPIPS file");
    }
}
