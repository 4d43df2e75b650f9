package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SAM's editing: frozen features inside each space's mask, full edits elsewhere. */
class SamRendererTest {

    /** A W+F reconstruction with random offsets at b8 (mask: top half, soft edge row) and b16 (mask: left half). */
    static Reconstruction reconstruction(Generator g) throws Exception {
        INDArray ws = FixtureModel.trainedGenerator().sampleWs(1, 3, 0.7);
        INDArray m8 = Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8), m16 = Nd4j.zeros(DataType.FLOAT, 1, 1, 16, 16);
        m8.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3), NDArrayIndex.all()).assign(1);
        m8.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(3), NDArrayIndex.all()).assign(0.5);
        m16.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 8)).assign(1);
        Map<String, INDArray> offsets = Map.of("b8", io.stylegan2.core.Seeds.randn(1, DataType.FLOAT, 1, g.config().channelsAt(8), 8, 8).muli(0.5),
                "b16", io.stylegan2.core.Seeds.randn(2, DataType.FLOAT, 1, g.config().channelsAt(16), 16, 16).muli(0.5));
        return new Reconstruction(Latent.wPlus(ws, g.config()).withFeatureOffsets(offsets),
                new HookState(NoiseMode.CONST, null, null, null, Map.of("b8", m8, "b16", m16), null), Map.of(), Map.of());
    }

    /** An edit of rows {@code from..to-1}. */
    static INDArray edit(Generator g, INDArray ws, int from, int to) {
        INDArray d = Nd4j.zeros(DataType.FLOAT, ws.shape());
        d.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(io.stylegan2.core.Seeds.randn(9, DataType.FLOAT, 1, 1, g.config().wDim()).muli(1.5));
        return ws.add(d);
    }

    @Test
    void zeroEditRedrawsTheReconstructionAndMaskedRegionsStayFrozen() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Reconstruction r = reconstruction(g);
        INDArray ws = r.latent().ws();
        try (SamRenderer sam = new SamRenderer(g, r); ReconstructionRenderer plain = new ReconstructionRenderer(g, r)) {
            assertThat(sam.render().sub(plain.render()).amaxNumber().doubleValue()).isZero();
            assertThat(sam.render(ws).sub(sam.render()).amaxNumber().doubleValue()).as("zero edit, soft mask edges included").isLessThan(1e-4);
            // rows 5.. drive only b16's ToRGB and b32: neither frozen feature (b8 from rows <= 2, b16 from rows <= 4) sees them,
            // so SAM's edit equals the additive rendering
            INDArray late = edit(g, ws, 5, g.config().numWs());
            assertThat(sam.render(late).sub(plain.render(late)).amaxNumber().doubleValue()).isLessThan(1e-4);
            // an edit of the early rows is let through by the additive rendering but frozen inside the masks by SAM's
            INDArray early = edit(g, ws, 0, 5);
            INDArray dSam = sam.render(early).sub(sam.render()), dPlain = plain.render(early).sub(plain.render());
            assertThat(dSam.norm2Number().doubleValue()).isLessThan(dPlain.norm2Number().doubleValue());
            assertThat(sam.render(Nd4j.concat(0, ws, early)).get(NDArrayIndex.point(1)).sub(sam.render(early).get(NDArrayIndex.point(0))).amaxNumber().doubleValue())
                    .as("batched edits").isLessThan(1e-4);
            assertThatThrownBy(() -> sam.render(early, NoiseMode.RANDOM, 1)).hasMessageContaining("random noise");
        }
    }

    @Test
    void withEmptyMasksEveryRegionTakesTheFullEdit() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Reconstruction r = reconstruction(g);
        Map<String, INDArray> zero = Map.of("b8", Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8), "b16", Nd4j.zeros(DataType.FLOAT, 1, 1, 16, 16));
        Reconstruction open = new Reconstruction(r.latent(), new HookState(NoiseMode.CONST, null, null, null, zero, null), Map.of(), Map.of());
        INDArray early = edit(g, r.latent().ws(), 0, 5);
        try (SamRenderer sam = new SamRenderer(g, open)) {
            assertThat(sam.render(early).sub(g.synthesis(early, NoiseMode.CONST, 0)).amaxNumber().doubleValue()).isLessThan(1e-4);
        }
    }
}
