package io.stylegan2.inversion.nearperfect;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.EditConsistency;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.inversion.editing.SeFa;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.inversion.pti.PtiConfig;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.PatchedGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The method's claims at a small budget on a trained network (the shipped Fashion-MNIST G and D) and
 * a real garment it never saw (a Fashion-MNIST test image): one initial latent (W+ optimisation,
 * {@value #INIT} steps, saved and read back as a user would), then each contender gets the same
 * {@value #STEPS} steps. Full-length numbers are in inversion/NEAR_PERFECT.md.
 */
class NearPerfectInverterTest {
    static final int INIT = 60, STEPS = 150;
    /** Fashion-MNIST test image 0 (an ankle boot). */
    static final int GARMENT = 0;

    @Test
    void beatsWPlusAndPtiAtTheSameBudgetAndKeepsEditsWorking(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Discriminator d = FixtureModel.trainedDiscriminator();
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            PerceptualLoss perceptual = alex;
            Target t = new Target("garment0", FixtureModel.garment(GARMENT));
            InversionResult init = new WPlusProjector(g, perceptual, WPlusConfig.defaults().withSteps(INIT)).invert(t);
            Path saved = dir.resolve("init.safetensors");
            InversionResults.save(init, saved);

            // near-perfect through the registry, starting from the saved result
            MethodContext ctx = MethodContext.of(g).withPerceptual(perceptual).withSteps(STEPS).withOptions(Map.of("init", saved.toString(), "report-samples", "16")).withDiscriminator(() -> d);
            InversionResult np = Methods.builtIn().create("near-perfect", ctx).invertOne(t, null, null);
            double npMse = Mse.image(t.image(), np.image());

            // W+ alone with the whole budget (initial steps + tuning steps)
            InversionResult wplus = new WPlusProjector(g, perceptual, WPlusConfig.defaults().withSteps(INIT + STEPS)).invert(t);
            double wMse = Mse.image(t.image(), wplus.image());
            // PTI from the same latent with the same number of tuning steps (no early stop)
            TuningResult pti = new PivotalTuning(PtiConfig.defaults().withMaxSteps(STEPS).withPerceptualThreshold(0), alex)
                    .tune(g, init.ws(), t.image());
            double ptiMse = Mse.image(t.image(), pti.image());

            System.out.printf("near-perfect MSE %.6f, W+ %.6f, PTI %.6f%n", npMse, wMse, ptiMse);
            // measured on the shipped model: 0.0026 vs W+ 0.0114 (4.4x) and PTI 0.0042 (1.6x)
            assertThat(npMse).as("near-perfect %s vs W+ %s", npMse, wMse).isLessThan(wMse / 2);
            assertThat(npMse).as("near-perfect %s vs PTI %s", npMse, ptiMse).isLessThan(ptiMse);
            assertThat(np.ws().equals(init.ws())).isTrue();
            assertThat(np.config()).containsKeys("report_drift_mse", "report_fd_discriminator", "report_d_logit_reconstruction");

            // editing still works: a SeFa direction changes random samples the same way before and after tuning
            InversionResult saved2 = InversionResults.load(writeAndRead(np, dir.resolve("np.safetensors")));
            Map<String, INDArray> offsets = PatchedGenerator.fromCanonical(saved2.reconstruction().weightOffsets(), g.params());
            // (the yardstick: the untuned change of another SeFa direction is nearly uncorrelated with this one's)
            java.util.List<Direction> sefa = SeFa.compute(g, 2, LayerRange.all(g.config().numWs()));
            EditConsistency ec = EditConsistency.measure(g, offsets, sefa.get(0), 3.0, 16, 0.7, 5);
            System.out.printf("edit consistency %s%n", ec);
            // measured on the shipped model: mean correlation 0.51 (min 0.35), norm ratio 0.94 (the random-init
            // fixture network, where this test used to run, kept 0.7+): the edit survives, weakened
            assertThat(ec.meanCorrelation()).as("%s", ec).isGreaterThan(0.4);
            assertThat(ec.meanNormRatio()).as("%s", ec).isBetween(0.7, 1.4);
            double unrelated = EditConsistency.crossCorrelation(g, sefa.get(0), sefa.get(1), 3.0, 16, 0.7, 5);
            System.out.printf("unrelated directions' correlation %.3f%n", unrelated);
            assertThat(Math.abs(unrelated)).as("unrelated directions").isLessThan(0.3);
            assertThat(ec.meanCorrelation()).as("the kept edit vs unrelated directions").isGreaterThan(Math.abs(unrelated) + 0.2);
        }
    }

    private static Path writeAndRead(InversionResult r, Path file) throws Exception {
        InversionResults.save(r, file);
        return file;
    }

    @Test
    void startsFromTheReStyleEncoderAndNeedsADiscriminator(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.generator();
        Discriminator d = FixtureModel.discriminator();
        Path enc = dir.resolve("encoder.safetensors");
        io.stylegan2.inversion.encoder.Encoder.random(io.stylegan2.inversion.encoder.EncoderConfig.forGenerator(g.config()).tiny(), 1).save(enc);
        Target t = new Target("photo2", FixtureModel.photo(2, 32));
        Map<String, String> opts = Map.of("encoder", enc.toString(), "iterations", "2", "samples", "2", "report-samples", "0");
        InversionResult r = Methods.builtIn().create("near-perfect", MethodContext.of(g).withSteps(2).withOptions(opts).withDiscriminator(() -> d)).invertOne(t, null, null);
        assertThat(r.config().get("initial_method")).isEqualTo("encoder");
        assertThat(r.timing().steps()).isEqualTo(2);
        assertThat(r.notes()).anyMatch(n -> n.startsWith("initial latent (encoder)"));
        assertThat(r.config()).doesNotContainKey("report_drift_mse");

        assertThatThrownBy(() -> Methods.builtIn().create("near-perfect", MethodContext.of(g).withSteps(2).withOptions(Map.of())))
                .hasMessageContaining("discriminator");
        assertThatThrownBy(() -> Methods.builtIn().create("near-perfect", MethodContext.of(g).withSteps(2).withOptions(Map.of("encoder", "a", "init", "b")).withDiscriminator(() -> d)))
                .hasMessageContaining("not both");
    }
}
