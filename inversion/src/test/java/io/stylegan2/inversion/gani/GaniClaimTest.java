package io.stylegan2.inversion.gani;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.engine.TuningResult;
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.inversion.pti.PtiConfig;
import io.stylegan2.inversion.pti.PtiMethod;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.PatchedGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GANI's claim at a small budget on the trained network (the shipped Fashion-MNIST G) and a real
 * garment it never saw (a Fashion-MNIST test image none of the sweeps used): one pivot (the W
 * projector with PTI's settings, {@value #PIVOT} steps, saved and read back as a user would), then
 * GANI through the registry and PTI (unregularised free offsets of every synthesis parameter, no early
 * stop) each get {@value #STEPS} steps from it. Full-length numbers are in inversion/GANI.md.
 */
class GaniClaimTest {
    static final int PIVOT = 100, STEPS = 60;
    /** Fashion-MNIST test image 11. */
    static final int GARMENT = 11;

    @Test
    void reconstructsBetterThanItsPivotAndPtiAtTheSameSteps(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            Target t = new Target("garment" + GARMENT, FixtureModel.garment(GARMENT));
            InversionResult pivot = PtiMethod.pivot("gani", MethodContext.of(g).withPerceptual(alex).withSteps(PIVOT).withOptions(Map.of()), null, 3, null, "w", PIVOT).invert(t);
            Path saved = dir.resolve("pivot.safetensors");
            InversionResults.save(pivot, saved);

            InversionResult gani = Methods.builtIn().create("gani", MethodContext.of(g).withPerceptual(alex).withSteps(STEPS).withOptions(Map.of("init", saved.toString())))
                    .invertOne(t, null, null);
            TuningResult pti = new PivotalTuning(PtiConfig.defaults().withMaxSteps(STEPS).withPerceptualThreshold(0), alex).tune(g, pivot.ws(), t.image());

            double pivotMse = Mse.image(t.image(), pivot.image()), ganiMse = Mse.image(t.image(), gani.image()), ptiMse = Mse.image(t.image(), pti.image());
            double pivotLp = alex.distance(pivot.image(), t.image()).getDouble(0), ganiLp = alex.distance(gani.image(), t.image()).getDouble(0),
                    ptiLp = alex.distance(pti.image(), t.image()).getDouble(0);
            ManifoldDrift.Result ptiDrift = ManifoldDrift.measure(g, pti.weightOffsets(), 16, 0, 4, alex);
            System.out.printf("GANI claim: MSE pivot %.5f GANI %.5f PTI %.5f; LPIPS pivot %.5f GANI %.5f PTI %.5f; drift MSE GANI %s PTI %.5f%n", pivotMse, ganiMse, ptiMse,
                    pivotLp, ganiLp, ptiLp, gani.config().get("drift_mse"), ptiDrift.mse());

            assertThat(ganiMse).isLessThan(0.5 * pivotMse);
            assertThat(ganiLp).isLessThan(pivotLp);
            assertThat(ganiMse).as("GANI vs PTI at %d steps", STEPS).isLessThan(ptiMse);
            assertThat(ganiLp).isLessThan(ptiLp);

            // the saved result: the pivot's latent, offsets on the conv and toRGB weights only, the modules' size
            InversionResult back = InversionResults.load(writeAndPath(gani, dir));
            assertThat(back.latent().ws()).isEqualTo(pivot.latent().ws());
            assertThat(back.reconstruction().weightOffsets().keySet()).allMatch(GmmLayers.CONVS_AND_TORGB::selects);
            Map<?, ?> settings = (Map<?, ?>) gani.config().get("gani");
            assertThat(((Number) settings.get("trained_parameters")).longValue()).isPositive();
            try (PatchedGenerator tuned = new PatchedGenerator(g, PatchedGenerator.fromCanonical(back.reconstruction().weightOffsets(), g.params()))) {
                assertThat(Mse.image(tuned.synthesis(back.ws()), gani.image())).isLessThan(1e-10);
            }
        }
    }

    private static Path writeAndPath(InversionResult r, Path dir) throws Exception {
        Path f = dir.resolve("gani.safetensors");
        InversionResults.save(r, f);
        return f;
    }
}
