package io.stylegan2.inversion.padinv;

import io.stylegan2.core.Seeds;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.padinv.PaddingEdits.PairEdit;
import io.stylegan2.inversion.padinv.PaddingEdits.PairEditSpace;
import io.stylegan2.inversion.Latent;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PaddingProviders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Padding-space optimisation ({@code padinv-opt}) on the trained network (the shipped Fashion-MNIST
 * G) and real test garments it never saw, at a tiny budget; full-length numbers are in
 * inversion/PADINV.md ({@code PadInvExperiments}).
 */
class PadInvOptTest {
    static final int STEPS = 60;

    @Test
    void paddedLayersAreTheNonUpsamplingConvsUpTo32() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        assertThat(PaddingProviders.paddedLayers(g.config(), 32)).containsExactly("b4.conv1", "b8.conv1", "b16.conv1", "b32.conv1");
        assertThat(PaddingProviders.paddedLayers(g.config(), 8)).containsExactly("b4.conv1", "b8.conv1");
        assertThat(PaddingProviders.zeroBorders(g.config(), 8).get("b8.conv1").shape()).containsExactly(1, g.config().channelsAt(8), 10, 10);
        assertThatThrownBy(() -> PaddingProviders.paddedLayers(g.config(), 12)).hasMessageContaining("power of two");
    }

    @Test
    void zeroPaddingMapsDrawExactlyThePlainGenerator() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        INDArray ws = g.mapping(Seeds.randn(3, g.params().dataType(), 4, g.config().zDim()), 1.0);
        INDArray plain = g.synthesis(ws, NoiseMode.CONST, 0);
        Reconstruction zero = new Reconstruction(Latent.wPlus(ws.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)), g.config()),
                HookState.CONST.withPadding(PaddingProviders.zeroBorders(g.config(), 32)), Map.of(), Map.of());
        try (ReconstructionRenderer r = new ReconstructionRenderer(g, zero)) {
            INDArray padded = r.render(ws);
            assertThat(padded.sub(plain).amaxNumber().doubleValue()).isEqualTo(0.0);
        }
    }

    @Test
    void paddingSpaceLowersTheErrorOfWPlusAtTheSameBudget(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            Target t = new Target("garment12", FixtureModel.garment(12));
            InversionResult wplus = Methods.builtIn().create("wplus", MethodContext.of(g).withPerceptual(alex).withSteps(STEPS).withOptions(Map.of())).invertOne(t, null, null);
            InversionResult padded = Methods.builtIn().create("padinv-opt", MethodContext.of(g).withPerceptual(alex).withSteps(STEPS).withOptions(Map.of())).invertOne(t, null, null);
            double mW = Mse.image(t.image(), wplus.image()), mP = Mse.image(t.image(), padded.image());
            double lW = alex.distance(wplus.image(), t.image()).getDouble(0), lP = alex.distance(padded.image(), t.image()).getDouble(0);
            System.out.printf("padinv-opt claim at %d steps: MSE W+ %.5f padding+W+ %.5f; LPIPS %.5f %.5f%n", STEPS, mW, mP, lW, lP);
            assertThat(mP).isLessThan(mW);
            assertThat(lP).isLessThan(lW);
            assertThat(padded.method()).isEqualTo("padinv-opt");
            assertThat(padded.reconstruction().hooks().padding()).containsOnlyKeys("b4.conv1", "b8.conv1", "b16.conv1", "b32.conv1");

            // saved and read back as `edit` reads it: the same image from the stored maps
            Path f = dir.resolve("result.safetensors");
            InversionResults.save(padded, f);
            InversionResult back = InversionResults.load(f);
            assertThat(back.reconstruction().hooks().padding()).containsOnlyKeys(padded.reconstruction().hooks().padding().keySet());
            INDArray redrawn = Methods.builtIn().renderer(back.method(), g, back.reconstruction()).render();
            assertThat(Mse.image(redrawn, padded.image())).isLessThan(1e-12);
        }
    }

    @Test
    void blendingAndPairEditsMoveTheRightParts() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        List<Reconstruction> r = new java.util.ArrayList<>();
        for (int i : new int[]{13, 14, 15})
            r.add(Methods.builtIn().create("padinv-opt", MethodContext.of(g).withSteps(15).withOptions(Map.of("learning-rate", "0.05")))
                    .invertOne(new Target("g" + i, FixtureModel.garment(i)), null, null).reconstruction());
        Reconstruction a = r.get(0), b = r.get(1), c = r.get(2);

        Reconstruction blend = PaddingEdits.blend(a, b);
        assertThat(blend.latent().ws()).isEqualTo(b.latent().ws());
        assertThat(blend.hooks().padding()).isEqualTo(a.hooks().padding());
        assertThatThrownBy(() -> PaddingEdits.blend(Reconstruction.of(b.latent()), a)).hasMessageContaining("no padding maps");

        // original + (edited - original) = edited; strength 0 changes nothing; each space moves only its part
        PairEdit d = PairEdit.between(a, b);
        Reconstruction moved = d.apply(a, 1.0, PairEditSpace.BOTH);
        assertThat(Mse.image(ReconstructionRenderer.render(g, moved), ReconstructionRenderer.render(g, b))).isLessThan(1e-10);
        assertThat(ReconstructionRenderer.render(g, d.apply(c, 0.0, PairEditSpace.BOTH))).isEqualTo(ReconstructionRenderer.render(g, c));
        Reconstruction padOnly = d.apply(c, 1.0, PairEditSpace.PADDING), wOnly = d.apply(c, 1.0, PairEditSpace.WPLUS);
        assertThat(padOnly.latent().ws()).isEqualTo(c.latent().ws());
        assertThat(wOnly.hooks().padding()).isEqualTo(c.hooks().padding());
        assertThat(padOnly.hooks().padding().get("b8.conv1")).isNotEqualTo(c.hooks().padding().get("b8.conv1"));
        assertThat(PairEditSpace.parse("W+")).isEqualTo(PairEditSpace.WPLUS);
        assertThatThrownBy(() -> PairEdit.between(a, Reconstruction.of(b.latent()))).hasMessageContaining("same layers");
    }
}
