package io.stylegan2.core.ops;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.function.UnaryOperator;

import static io.stylegan2.core.ops.Upfirdn2dTest.rand;
import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModulatedConv2dTest {
    static final INDArray F = Upfirdn2d.setupFilter(1, 3, 3, 1);

    /** Demodulation coefficients d[n][o] (1 when !demod). */
    static double[][] dcoefs(INDArray wOihw, INDArray s, boolean demod) {
        int n = (int) s.size(0), o = (int) wOihw.size(0), c = (int) wOihw.size(1), k = (int) wOihw.size(2);
        double[][] d = new double[n][o];
        for (int b = 0; b < n; b++)
            for (int oc = 0; oc < o; oc++) {
                double acc = 0;
                for (int ic = 0; ic < c; ic++)
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) {
                            double v = wOihw.getDouble(oc, ic, i, j) * s.getDouble(b, ic);
                            acc += v * v;
                        }
                d[b][oc] = demod ? 1 / Math.sqrt(acc + 1e-8) : 1;
            }
        return d;
    }

    /** NVlabs fused formulation: per-sample weights w * s * d, grouped conv = per-sample conv2d_resample. */
    static INDArray naive(INDArray x, INDArray wOihw, INDArray s, INDArray noise, int up, int pad, boolean demod, boolean flip) {
        double[][] d = dcoefs(wOihw, s, demod);
        INDArray[] outs = new INDArray[(int) x.size(0)];
        for (int b = 0; b < x.size(0); b++) {
            INDArray wn = wOihw.dup();
            for (int oc = 0; oc < wn.size(0); oc++)
                for (int ic = 0; ic < wn.size(1); ic++)
                    wn.get(NDArrayIndex.point(oc), NDArrayIndex.point(ic)).muli(s.getDouble(b, ic) * d[b][oc]);
            INDArray xb = x.get(NDArrayIndex.interval(b, b + 1)).dup();
            outs[b] = NaiveOps.conv2dResample(xb, wn, up > 1 ? F : null, up, 1, new int[] {pad, pad, pad, pad}, flip);
        }
        INDArray y = Nd4j.concat(0, outs);
        return noise == null ? y : y.add(noise.broadcast(y.shape()));
    }

    @Test
    void matchesFusedFormulation() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 5, 5);
        INDArray w = rand(DataType.DOUBLE, 4, 3, 3, 3);
        INDArray s = rand(DataType.DOUBLE, 2, 3).addi(1.5);
        INDArray noise1 = rand(DataType.DOUBLE, 1, 1, 5, 5).muli(0.1);
        INDArray noise2 = rand(DataType.DOUBLE, 1, 1, 10, 10).muli(0.1);
        for (boolean demod : new boolean[] {true, false}) {
            for (int up : new int[] {1, 2}) {
                SameDiff sd = SameDiff.create();
                SDVariable xv = sd.var("x", x).add(0.0), wv = sd.var("w", Conv2dResample.oihwToYxio(w)), sv = sd.var("s", s).mul(1.0);
                INDArray nz = up == 1 ? noise1 : noise2;
                INDArray actual = ModulatedConv2d.modulatedConv2d(xv, wv, sv, sd.constant(nz), up, 1, F, demod, null).eval();
                assertAllClose("modconv up=" + up + " demod=" + demod, actual, naive(x, w, s, nz, up, 1, demod, up == 1), 1e-10, 1e-12);
            }
        }
        // 1x1 ToRGB style, float
        INDArray w1 = rand(DataType.DOUBLE, 3, 3, 1, 1);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x.castTo(DataType.FLOAT));
        INDArray rgb = ModulatedConv2d.modulatedConv2d(xv, sd.var("w", Conv2dResample.oihwToYxio(w1).castTo(DataType.FLOAT)), sd.var("s", s.castTo(DataType.FLOAT)), null, 1, 0, null, false, null).eval();
        assertThat(rgb.dataType()).isEqualTo(DataType.FLOAT);
        assertAllClose("torgb float", rgb, naive(x, w1, s, null, 1, 0, false, true), 1e-5, 1e-5);
    }

    /** Padder that zero-pads and adds a learned border (ring only). */
    static UnaryOperator<SDVariable> borderPadder(SDVariable border, INDArray mask) {
        return t -> {
            SameDiff sd = t.getSameDiff();
            SDVariable z = sd.nn().pad(t, sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}})), PadMode.CONSTANT, 0.0);
            return z.add(border.mul(sd.constant(mask)));
        };
    }

    static INDArray ringMask(int h, int w) {
        INDArray m = Nd4j.ones(DataType.DOUBLE, 1, 1, h, w);
        m.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, h - 1), NDArrayIndex.interval(1, w - 1)).assign(0);
        return m;
    }

    @Test
    void padderMatchesZeroPaddingAndFeedsBorder() {
        INDArray x = rand(DataType.DOUBLE, 2, 3, 5, 5);
        INDArray w = rand(DataType.DOUBLE, 4, 3, 3, 3);
        INDArray s = rand(DataType.DOUBLE, 2, 3).addi(1.5);
        // zero padder == default
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x), wv = sd.var("w", Conv2dResample.oihwToYxio(w)), sv = sd.var("s", s);
        UnaryOperator<SDVariable> zeroPad = t -> t.getSameDiff().nn().pad(t, t.getSameDiff().constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}})), PadMode.CONSTANT, 0.0);
        assertAllClose("zero padder", ModulatedConv2d.modulatedConv2d(xv, wv, sv, null, 1, 1, null, true, zeroPad).eval(),
                ModulatedConv2d.modulatedConv2d(xv, wv, sv, null, 1, 1, null, true, null).eval(), 1e-12, 1e-12);
        // learned border: naive = conv(pad(x*s) + border*mask) * d
        INDArray border = rand(DataType.DOUBLE, 1, 3, 7, 7);
        INDArray mask = ringMask(7, 7);
        SDVariable bv = sd.var("border", border);
        INDArray actual = ModulatedConv2d.modulatedConv2d(xv, wv, sv, null, 1, 1, null, true, borderPadder(bv, mask)).eval();
        INDArray xm = x.mul(s.reshape(2, 3, 1, 1).broadcast(2, 3, 5, 5));
        INDArray pm = Nd4j.zeros(DataType.DOUBLE, 2, 3, 7, 7);
        pm.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 6), NDArrayIndex.interval(1, 6)).assign(xm);
        pm.addi(border.mul(mask).broadcast(2, 3, 7, 7));
        INDArray y = NaiveOps.conv2dOihw(pm, w, 1, 0, 0);
        double[][] d = dcoefs(w, s, true);
        for (int b = 0; b < 2; b++)
            for (int o = 0; o < 4; o++) y.get(NDArrayIndex.point(b), NDArrayIndex.point(o)).muli(d[b][o]);
        assertAllClose("learned border", actual, y, 1e-10, 1e-12);
    }

    @Test
    void gradients() {
        for (int up : new int[] {1, 2}) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 4, 4));
            SDVariable w = sd.var("w", rand(DataType.DOUBLE, 3, 3, 2, 3));
            SDVariable s = sd.var("s", rand(DataType.DOUBLE, 2, 2).addi(1.2));
            SDVariable nz = sd.var("noise", rand(DataType.DOUBLE, 1, 1, 4 * up, 4 * up));
            SDVariable y = ModulatedConv2d.modulatedConv2d(x.add(0.0), w, s.mul(1.0), nz, up, 1, F, true, null);
            GradCheck.check(sd, y, 30, "x", "w", "s", "noise");
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 4, 4));
        SDVariable w = sd.var("w", rand(DataType.DOUBLE, 3, 3, 2, 3));
        SDVariable s = sd.var("s", rand(DataType.DOUBLE, 2, 2).addi(1.2));
        SDVariable border = sd.var("border", rand(DataType.DOUBLE, 1, 2, 6, 6));
        SDVariable y = ModulatedConv2d.modulatedConv2d(x, w, s, null, 1, 1, null, true, borderPadder(border, ringMask(6, 6)));
        GradCheck.check(sd, y, 30, "x", "w", "s", "border");
    }

    @Test
    void rejectsPadderWithUpsampling() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 1, 2, 4, 4));
        SDVariable w = sd.var("w", rand(DataType.DOUBLE, 3, 3, 2, 3));
        SDVariable s = sd.var("s", rand(DataType.DOUBLE, 1, 2));
        assertThatThrownBy(() -> ModulatedConv2d.modulatedConv2d(x, w, s, null, 2, 1, F, true, t -> t))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padder");
        SDVariable s3 = sd.var("s3", rand(DataType.DOUBLE, 1, 3));
        assertThatThrownBy(() -> ModulatedConv2d.modulatedConv2d(x, w, s3, null, 1, 1, null, true, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("styles");
    }

    /** sum(y * r) and its gradients w.r.t. x, w, s for the reference (fused = false) or fused path. */
    private static java.util.Map<String, INDArray> valueAndGradients(boolean fused, INDArray x, INDArray wYxio, INDArray s, INDArray noise,
                                                                    INDArray r, int up, int pad, boolean demod) {
        io.stylegan2.core.engine.Engine.get();
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.var("x", x.dup()), wv = sd.var("w", wYxio.dup()), sv = sd.var("s", s.dup());
        SDVariable nz = noise == null ? null : sd.constant(noise);
        SDVariable y = fused
                ? ModulatedConv2d.modulatedConv2dFused(xv, wv, wYxio.shape(), sv, x.size(0), nz, up, pad, F, demod, up == 1)
                : ModulatedConv2d.modulatedConv2d(xv, wv, sv, nz, up, pad, F, demod, null);
        y.rename("y");
        SDVariable loss = sd.sum(y.mul(sd.constant(r))).rename("loss");
        sd.setLossVariables(loss);
        java.util.Map<String, INDArray> out = new java.util.HashMap<>(sd.calculateGradients(java.util.Map.of(), "x", "w", "s"));
        out.put("y", sd.output(java.util.Map.of(), "y").get("y"));
        return out;
    }

    @Test
    void fusedPathMatchesReferenceInValuesAndGradients() {
        for (int batch : new int[] {1, 3}) {
            for (int up : new int[] {1, 2}) {
                for (boolean demod : new boolean[] {true, false}) {
                    for (int k : new int[] {3, 1}) {
                        if (k == 1 && up == 2) continue;
                        INDArray x = rand(DataType.DOUBLE, batch, 3, 5, 5);
                        INDArray w = Conv2dResample.oihwToYxio(rand(DataType.DOUBLE, 4, 3, k, k));
                        INDArray s = rand(DataType.DOUBLE, batch, 3).addi(1.5);
                        int res = 5 * up;
                        INDArray noise = rand(DataType.DOUBLE, 1, 1, res, res).muli(0.1);
                        INDArray r = rand(DataType.DOUBLE, batch, 4, res, res);
                        java.util.Map<String, INDArray> ref = valueAndGradients(false, x, w, s, noise, r, up, k / 2, demod);
                        java.util.Map<String, INDArray> fused = valueAndGradients(true, x, w, s, noise, r, up, k / 2, demod);
                        String what = "batch=" + batch + " up=" + up + " demod=" + demod + " k=" + k;
                        for (String v : new String[] {"y", "x", "w", "s"})
                            assertAllClose(what + " " + v, fused.get(v), ref.get(v), 1e-11, 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void fusedPathChecksStyles() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rand(DataType.DOUBLE, 2, 2, 4, 4));
        SDVariable w = sd.var("w", rand(DataType.DOUBLE, 3, 3, 2, 3));
        SDVariable s = sd.var("s", rand(DataType.DOUBLE, 1, 2));
        assertThatThrownBy(() -> ModulatedConv2d.modulatedConv2dFused(x, w, new long[] {3, 3, 2, 3}, s, 2, null, 1, 1, null, true, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("styles");
    }
}
