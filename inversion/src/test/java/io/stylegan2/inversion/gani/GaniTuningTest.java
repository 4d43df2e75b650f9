package io.stylegan2.inversion.gani;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.engine.Engine;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PatchedGenerator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GANI's plumbing on the fixture generator (nv_s32_c64, 32 px) and a real photo: step 0 is the original
 * generator, the saved offsets are the modules applied once (recomputed here by hand), the module
 * gradients against central differences, the pivot gradient against finite differences of the loss,
 * the options. The method's claim on the trained model is {@link GaniClaimTest}.
 */
class GaniTuningTest {
    static Generator g;
    static Lpips alex;
    static INDArray target, pivot;

    @BeforeAll
    static void setUp() throws Exception {
        g = FixtureModel.generator();
        alex = FixtureModel.lpipsAlex();
        target = FixtureModel.photo(0, 32);
        pivot = FixtureModel.ws(1, 0.7);
    }

    @AfterAll
    static void tearDown() {
        alex.close();
    }

    private static double maxAbs(INDArray a) {
        return a.amaxNumber().doubleValue();
    }

    @ParameterizedTest
    @EnumSource(GmmInput.class)
    void stepZeroIsTheOriginalGenerator(GmmInput input) {
        TuningResult r = new GaniTuning(GaniConfig.defaults().withMaxSteps(0).withInput(input), alex).tune(g, pivot, target);
        assertThat(r.steps()).isZero();
        assertThat(r.weightOffsets()).isNotEmpty();
        r.weightOffsets().forEach((n, d) -> assertThat(maxAbs(d)).as(n).isEqualTo(0.0));
        INDArray base = g.synthesis(pivot, NoiseMode.CONST, 0);
        assertThat(maxAbs(r.image().sub(base))).isLessThan(1e-5);
    }

    @ParameterizedTest
    @EnumSource(GmmSharing.class)
    void savedOffsetsAreTheModulesAppliedOnce(GmmSharing sharing) {
        GaniConfig c = GaniConfig.defaults().withMaxSteps(3).withLearningRate(1e-3).withInput(GmmInput.WEIGHTS).withWidth(4).withSharing(sharing);
        TuningResult r = new GaniTuning(c, alex).tune(g, pivot, target);
        assertThat(r.history().get(r.history().size() - 1).get(GaniTuning.L2)).isLessThan(r.first(GaniTuning.L2));
        // the layers: every conv and toRGB weight, nothing else
        List<String> want = new ArrayList<>();
        for (String n : g.params().names()) if (n.startsWith("synthesis.") && n.endsWith(".weight") && !n.contains("affine")) want.add(n);
        assertThat(r.weightOffsets().keySet()).containsExactlyElementsOf(want);
        for (String n : want) {
            INDArray theta = g.params().get(n);
            long[] s = theta.shape();
            INDArray x = sharing == GmmSharing.FILTERS
                    ? theta.reshape('c', s[0] * s[1] * s[2], s[3]).transpose().dup('c')
                    : theta.permute(2, 3, 0, 1).dup('c').reshape('c', s[2] * s[3], s[0] * s[1]);
            x.divi(x.norm2Number().doubleValue() / Math.sqrt(x.length()));
            Map<String, INDArray> e = r.extras();
            INDArray h = Transforms.leakyRelu(x.mmul(e.get("gmm/" + n + "/w1")).addiRowVector(e.get("gmm/" + n + "/b1")), 0.2);
            INDArray rows = h.mmul(e.get("gmm/" + n + "/w2")).addiRowVector(e.get("gmm/" + n + "/b2"));
            INDArray byHand = sharing == GmmSharing.FILTERS
                    ? rows.transpose().dup('c').reshape('c', s)
                    : rows.reshape('c', s[2], s[3], s[0], s[1]).permute(2, 3, 0, 1).dup('c');
            INDArray saved = r.weightOffsets().get(n);
            assertThat(maxAbs(saved)).as(n).isGreaterThan(0.0);
            assertThat(maxAbs(saved.sub(byHand))).as(n).isLessThan(1e-5 * Math.max(1, maxAbs(byHand)));
        }
        try (PatchedGenerator t = new PatchedGenerator(g, r.weightOffsets())) {
            assertThat(maxAbs(t.synthesis(pivot, NoiseMode.CONST, 0).sub(r.image()))).isLessThan(1e-5);
        }
        assertThat(r.extras().get(GaniTuning.PARAMETER_COUNT).getLong(0)).isPositive();
    }

    @ParameterizedTest
    @EnumSource(GmmSharing.class)
    void moduleGradientsMatchCentralDifferences(GmmSharing sharing) {
        Engine.get();
        SameDiff sd = SameDiff.create();
        String n = "synthesis.b8.conv1.weight";
        INDArray theta = Seeds.randn(1, DataType.DOUBLE, 3, 3, 2, 4), grad = Seeds.randn(2, DataType.DOUBLE, 3, 3, 2, 4);
        GradientModules m = new GradientModules(sd, Map.of(n, List.of(theta, grad)), sharing, 3, 5);
        sd.getVariable("gmm/" + n + "/w2").setArray(Seeds.randn(3, DataType.DOUBLE, 3, sharing == GmmSharing.FILTERS ? 18 : 9));
        sd.getVariable("gmm/" + n + "/b1").setArray(Seeds.randn(4, DataType.DOUBLE, 1, 3).muli(0.1));
        SDVariable out = m.apply(n, sd.constant(theta));
        assertThat(out.eval().shape()).containsExactly(3, 3, 2, 4);
        SDVariable loss = sd.sum(out.mul(out).mul(sd.constant(Seeds.randn(6, DataType.DOUBLE, 3, 3, 2, 4))));
        sd.setLossVariables(loss);
        List<String> vars = m.variables();
        assertThat(vars).hasSize(4);
        Map<String, INDArray> grads = sd.calculateGradients(Collections.emptyMap(), vars);
        double eps = 1e-6;
        for (String v : vars) {
            INDArray arr = sd.getVariable(v).getArr();
            for (long i = 0; i < arr.length(); i++) {
                double o = arr.getDouble(i);
                arr.putScalar(i, o + eps);
                double lp = loss.eval().getDouble(0);
                arr.putScalar(i, o - eps);
                double lm = loss.eval().getDouble(0);
                arr.putScalar(i, o);
                double num = (lp - lm) / (2 * eps), ana = grads.get(v).getDouble(i);
                assertThat(Math.abs(num - ana)).as("%s[%d]: analytic %s numeric %s", v, i, ana, num).isLessThan(1e-6 + 1e-5 * Math.abs(num));
            }
        }
    }

    @Test
    void pivotGradientMatchesFiniteDifferencesOfTheLoss() {
        GaniTuning t = new GaniTuning(GaniConfig.defaults(), alex);
        String n = "synthesis.b16.conv1.weight";
        INDArray grad = t.pivotGradient(g, pivot, target, List.of(n)).get(n);
        INDArray flat = Transforms.abs(grad.reshape(grad.length()));
        for (int k = 0; k < 2; k++) {
            long i = flat.argMax().getLong(0);
            flat.putScalar(i, 0);
            double eps = 2e-2;
            double lp = loss(n, i, eps), lm = loss(n, i, -eps);
            double num = (lp - lm) / (2 * eps), ana = grad.reshape(grad.length()).getDouble(i);
            assertThat(Math.abs(num - ana)).as("d loss / d %s[%d]: analytic %s numeric %s", n, i, ana, num).isLessThan(0.05 * Math.abs(ana));
        }
    }

    /** L2 + LPIPS of the generator with {@code eps} added to one element of {@code n}. */
    private static double loss(String n, long i, double eps) {
        INDArray d = Nd4j.zeros(g.params().get(n).dataType(), g.params().get(n).shape());
        d.reshape(d.length()).putScalar(i, eps);
        try (PatchedGenerator t = new PatchedGenerator(g, Map.of(n, d))) {
            INDArray img = t.synthesis(pivot, NoiseMode.CONST, 0);
            INDArray diff = img.sub(target);
            return diff.mul(diff).meanNumber().doubleValue() + alex.distance(img, target).getDouble(0);
        }
    }

    @Test
    void optionsAndRegistry() {
        assertThat(Methods.builtIn().names()).contains("gani");
        GaniOptions o = MethodOptions.parse("gani", Map.of("input", "both", "layers", "convs", "sharing", "kernels", "width", "4", "lr", "3e-4"), GaniOptions.defaults());
        GaniConfig c = o.config(10);
        assertThat(c.input()).isEqualTo(GmmInput.BOTH);
        assertThat(c.layers()).isEqualTo(GmmLayers.CONVS);
        assertThat(c.width()).isEqualTo(4);
        assertThat(c.sharing()).isEqualTo(GmmSharing.KERNELS);
        assertThat(c.learningRate()).isEqualTo(3e-4);
        assertThat(c.maxSteps()).isEqualTo(10);
        assertThat(GmmLayers.CONVS.selects("synthesis.b8.torgb.weight")).isFalse();
        assertThat(GmmLayers.CONVS_AND_TORGB.selects("synthesis.b8.torgb.weight")).isTrue();
        assertThat(GmmLayers.CONVS_AND_TORGB.selects("synthesis.b8.conv0.affine.weight")).isFalse();
        assertThat(GmmLayers.CONVS_AND_TORGB.selects("synthesis.b8.conv0.bias")).isFalse();
        assertThatThrownBy(() -> MethodOptions.parse("gani", Map.of("widht", "4"), GaniOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("widht");
        assertThatThrownBy(() -> MethodOptions.parse("gani", Map.of("width", "0"), GaniOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
        assertThatThrownBy(() -> MethodOptions.parse("gani", Map.of("noise-mode", "random"), GaniOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("random");
        assertThatThrownBy(() -> Methods.builtIn().create("gani", io.stylegan2.inversion.MethodContext.of(g).withSteps(1).withOptions(Map.of())))
                .hasMessageContaining("gani needs a perceptual distance");
    }
}
