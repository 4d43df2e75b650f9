package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * pmsfc and mganprior through the registry on the trained model and a real test garment: the
 * composition's renderer redraws the result, equal codes compose to the plain generator, a saved
 * result edits with every code moved (strength 0 redraws it), and the two methods lower their loss.
 */
class CompositionTest {
    @TempDir Path dir;

    @Test
    void equalCodesWithWeightsSummingToOneAreThePlainGenerator() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        INDArray ws = FixtureModel.trainedGenerator().mapping(io.stylegan2.core.Seeds.z(new long[]{4}, g.config().zDim()));
        INDArray codes = Nd4j.concat(0, ws, ws, ws);
        INDArray weights = Nd4j.createFromArray(new float[][]{new float[64], new float[64], new float[64]});
        for (int c = 0; c < 64; c++) weights.putScalar(c % 3, c, 1.0);   // each channel from one code: the same feature
        INDArray composed = FeatureComposition.render(g, codes, weights, "b16", NoiseMode.CONST);
        INDArray plain = g.synthesis(ws, NoiseMode.CONST, 0).castTo(DataType.FLOAT);
        assertThat(composed.sub(plain).amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThatThrownBy(() -> FeatureComposition.render(g, codes, weights.get(NDArrayIndex.interval(0, 2)), "b16", NoiseMode.CONST)).hasMessageContaining("[3, 64]");
    }

    @Test
    void pmsfcAndMganpriorInvertARealGarmentAndTheirResultsRenderAndEdit() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Target t = new Target("garment", FixtureModel.garment(7));
        int[] labels = new int[64];
        for (int c = 0; c < 64; c++) labels[c] = c % 3;
        Path sub = dir.resolve("sub.safetensors");
        new Subspaces("b16", Nd4j.zeros(DataType.DOUBLE, 64, 64), labels, 3, Map.of()).save(sub);

        for (String method : new String[]{"pmsfc", "mganprior"}) {
            Map<String, String> options = method.equals("pmsfc") ? Map.of("subspaces", sub.toString()) : Map.of("codes", "4");
            InversionResult r = Methods.builtIn().create(method, MethodContext.of(g).withSteps(40).withOptions(options)).invertOne(t, null, null);
            assertThat(r.method()).isEqualTo(method);
            assertThat(r.space()).isEqualTo(LatentSpace.W_PLUS_FEATURES);
            assertThat(r.reconstruction().extras().get(FeatureComposition.CODES).shape()).containsExactly(4, g.config().numWs(), g.config().wDim());
            assertThat(r.history().get(r.history().size() - 1).get("mse")).as(method).isLessThan(0.5 * r.history().get(0).get("mse"));
            // the result's image is the composition of its codes, and the W+F latent alone draws the same
            INDArray again = new CompositionRenderer(g, r.reconstruction()).render();
            assertThat(again.sub(r.image()).amaxNumber().doubleValue()).isLessThan(1e-5);
            INDArray viaOffsets = new io.stylegan2.inversion.ReconstructionRenderer(g, r.reconstruction()).render();
            assertThat(viaOffsets.sub(r.image()).amaxNumber().doubleValue()).as("W+F latent").isLessThan(1e-4);

            // an edit of the latent moves every code by the same change
            INDArray edited = r.ws().add(0.25);
            INDArray moved = FeatureComposition.editedCodes(r.reconstruction(), edited);
            INDArray before = r.reconstruction().extras().get(FeatureComposition.CODES);
            assertThat(moved.sub(before).sub(0.25).amaxNumber().doubleValue()).isLessThan(1e-6);

            Path file = dir.resolve(method + ".safetensors");
            InversionResults.save(r, file);
            InversionResult back = InversionResults.load(file);
            INDArray v = Nd4j.zeros(DataType.DOUBLE, g.config().wDim());
            v.putScalar(0, 1.0);
            INDArray strip = Edits.strip(g, method, back.reconstruction(), Direction.w("d", v, null), new double[]{0, 3});
            assertThat(strip.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).sub(r.image()).amaxNumber().doubleValue())
                    .isLessThan(1e-5);
            assertThat(strip.get(NDArrayIndex.interval(1, 2), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())).isNotEqualTo(r.image());
        }
        assertThatThrownBy(() -> Methods.builtIn().create("pmsfc", MethodContext.of(g))).hasMessageContaining("subspaces=FILE");
    }

    /** Subspace swaps of two pmsfc results: amount 0 is A itself, a swap changes A, swapping every subspace's code gives B's codes except the base. */
    @Test
    void subspaceSwapsBetweenTwoPmsfcResults() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        int[] labels = new int[64];
        for (int c = 0; c < 64; c++) labels[c] = c < 40 ? 0 : 1;
        Path sub = dir.resolve("sub2.safetensors");
        new Subspaces("b16", Nd4j.zeros(DataType.DOUBLE, 64, 64), labels, 2, Map.of()).save(sub);
        MethodContext ctx = MethodContext.of(g).withSteps(25).withOptions(Map.of("subspaces", sub.toString()));
        InversionResult a = Methods.builtIn().create("pmsfc", ctx).invertOne(new Target("a", FixtureModel.garment(3)), null, null);
        InversionResult b = Methods.builtIn().create("pmsfc", ctx).invertOne(new Target("b", FixtureModel.garment(9)), null, null);
        assertThat(SubspaceEdits.subspaces(a)).isEqualTo(2);
        assertThat(SubspaceEdits.interpolate(g, a, b, 0, 0.0).sub(a.image()).amaxNumber().doubleValue()).isLessThan(1e-5);
        INDArray s0 = SubspaceEdits.swap(g, a, b, 0), s1 = SubspaceEdits.swap(g, a, b, 1);
        assertThat(s0.sub(a.image()).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        assertThat(s0.sub(s1).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        InversionResult w = Methods.builtIn().create("wplus", MethodContext.of(g).withSteps(2)).invertOne(new Target("w", FixtureModel.garment(3)), null, null);
        assertThatThrownBy(() -> SubspaceEdits.swap(g, a, w, 0)).hasMessageContaining("made by wplus");
        assertThatThrownBy(() -> SubspaceEdits.swap(g, a, b, 2)).hasMessageContaining("subspace 2 outside 0..1");
    }
}
