package io.stylegan2.inversion.projector;

import io.stylegan2.converter.LpipsConverter;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Both projectors with a perceptual distance (LPIPS-alex on the fixture trunk), and the area downsampling. */
class PerceptualProjectionTest {

    @Test
    void projectorsUseThePerceptualDistance() throws Exception {
        Target t = FixtureModel.target("seed2", 2, 0.7);
        try (Lpips alex = LpipsConverter.read(LpipsNet.ALEX, Fixtures.path("lpips/backbone_alexnet_features.pt"), Fixtures.path("lpips/alex.pth"))) {
            PerceptualLoss p = alex;
            InversionResult wp = new WPlusProjector(FixtureModel.generator(), p, WPlusConfig.defaults().withSteps(2)).invert(t);
            assertThat(wp.history().get(0)).containsKeys("mse", "perceptual", "total");
            Map0 h = new Map0(wp);
            assertThat(h.total).isCloseTo(h.mse + h.perceptual, within(1e-5));
            assertThat(wp.metrics().perceptualName()).isEqualTo("lpips-alex");
            double direct = alex.distance(t.image(), io.stylegan2.inversion.ReconstructionMetrics.clamp(wp.image())).getDouble(0);
            assertThat(wp.metrics().perceptual()).isCloseTo(direct, within(1e-6));

            InversionResult w = new NvidiaProjector(FixtureModel.generator(), p, NvidiaConfig.defaults().withSteps(2).withWAvgSamples(200)).invert(t);
            assertThat(w.history().get(0)).containsKeys("perceptual", "noise_reg", "total").doesNotContainKey("mse");
            assertThat(w.notes()).anyMatch(n -> n.contains("lpips-alex at 32x32"));
            assertThat(w.metrics().perceptual()).isNotNull();
        }
    }

    private record Map0(double mse, double perceptual, double total) {
        Map0(InversionResult r) {
            this(r.history().get(0).get("mse"), r.history().get(0).get("perceptual"), r.history().get(0).get("total"));
        }
    }

    @Test
    void areaDownsamplingIsTheMeanOfEachCell() {
        SameDiff sd = SameDiff.create();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 8, 8);
        SDVariable y = NvidiaProjector.areaDown(sd.constant("x", x), 4, 3, 2);
        INDArray out = y.eval();
        assertThat(out.shape()).containsExactly(2, 3, 2, 2);
        for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) {
            double s = 0;
            for (int a = 0; a < 4; a++) for (int b = 0; b < 4; b++) s += x.getDouble(n, c, 4 * i + a, 4 * j + b);
            assertThat(out.getDouble(n, c, i, j)).isCloseTo(s / 16, within(1e-12));
        }
    }
}
