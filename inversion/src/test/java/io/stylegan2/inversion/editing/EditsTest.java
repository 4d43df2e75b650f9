package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EditsTest {
    static final GeneratorConfig CFG = MethodsTest.CFG;
    static Generator g;
    @TempDir Path dir;

    @BeforeAll
    static void load() {
        g = Generator.random(CFG, 9);
    }

    @AfterAll
    static void close() {
        g.close();
    }

    private static INDArray img(INDArray strip, int i) {
        return strip.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private static INDArray ws() {
        Nd4j.getRandom().setSeed(4);
        return g.mapping(Nd4j.randn(DataType.FLOAT, 1, CFG.zDim()), 1.0);
    }

    @Test
    void strengthZeroReproducesTheUneditedRenderingExactly() {
        INDArray ws = ws();
        Direction d = SeFa.compute(g, 1, LayerRange.all(CFG.numWs())).get(0);
        for (NoiseMode mode : new NoiseMode[]{NoiseMode.CONST, NoiseMode.RANDOM}) {
            INDArray strip = Edits.strip(g, ws, d, new double[]{-3, 0, 3}, mode, 5);
            assertThat(strip.shape()).containsExactly(3, 3, 16, 16);
            INDArray plain = mode == NoiseMode.RANDOM ? g.synthesis(ws, mode, g.randomNoise(1, 5)) : g.synthesis(ws, mode, 0);
            assertThat(img(strip, 1)).as(mode.name()).isEqualTo(plain);
            assertThat(img(strip, 0).sub(plain).amaxNumber().doubleValue()).isGreaterThan(1e-3);
            assertThat(img(strip, 2).sub(img(strip, 0)).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        }
        // [w_dim] and [num_ws, w_dim] inputs
        INDArray w1 = ws.get(NDArrayIndex.point(0), NDArrayIndex.point(0), NDArrayIndex.all());
        assertThat(Edits.strip(g, w1, d, new double[]{0}, NoiseMode.CONST)).isEqualTo(g.synthesis(w1.reshape(1, -1), NoiseMode.CONST, 0));
        assertThatThrownBy(() -> Edits.strip(g, Nd4j.zeros(DataType.FLOAT, 2, CFG.numWs(), CFG.wDim()), d, new double[]{0}, NoiseMode.CONST))
                .hasMessageContaining("one latent");
    }

    @Test
    void editOnlyOutsideTheRangeLeavesTheImageOfAllRowsUnchangedAtZero() {
        INDArray ws = ws();
        Direction d = Direction.w("x", Nd4j.ones(DataType.DOUBLE, CFG.wDim()), null).withRange(5, 6);
        INDArray strip = Edits.strip(g, ws, d, new double[]{0, 1}, NoiseMode.NONE);
        assertThat(img(strip, 0)).isEqualTo(g.synthesis(ws, NoiseMode.NONE, 0));
    }

    /**
     * A reconstruction's weight offsets (PTI) and hook values (noise maps) reach the rendering: zero offsets render like
     * the plain generator, others change the image; a saved and loaded result edits the same way; bad offsets fail.
     */
    @Test
    void reconstructionsKeepTheirOffsetsAndHooks() throws Exception {
        INDArray ws = ws();
        Direction d = SeFa.compute(g, 1, LayerRange.all(CFG.numWs())).get(0);
        Latent latent = Latent.of(ws, CFG);
        Map<String, INDArray> zero = new LinkedHashMap<>();
        zero.put("synthesis.b8.conv0.weight", Nd4j.zeros(DataType.FLOAT, 16, 16, 3, 3));   // canonical [out, in, kH, kW]
        INDArray z0 = Edits.strip(g, new Reconstruction(latent, HookState.CONST, zero, Map.of()), d, new double[]{0, 2});
        INDArray p0 = Edits.strip(g, ws, d, new double[]{0, 2}, NoiseMode.CONST);
        assertThat(z0).as("zero offsets render exactly like the plain generator").isEqualTo(p0);

        Nd4j.getRandom().setSeed(8);
        Map<String, INDArray> deltas = new LinkedHashMap<>();
        deltas.put("synthesis.b8.conv0.weight", Nd4j.randn(DataType.FLOAT, 16, 16, 3, 3).muli(0.5));
        deltas.put("synthesis.b16.torgb.bias", Nd4j.ones(DataType.FLOAT, 3).muli(0.1));
        deltas.put("synthesis.b8.conv1.noise_strength", Nd4j.scalar(DataType.FLOAT, 1f));   // random init has noise strength 0: make noise count
        Map<String, INDArray> noise = Map.of("b8.conv1", Nd4j.randn(DataType.FLOAT, 1, 1, 8, 8));
        Reconstruction tuned = new Reconstruction(latent, HookState.CONST.withNoise(noise), deltas, Map.of());
        INDArray t0 = Edits.strip(g, tuned, d, new double[]{0});
        assertThat(t0.sub(img(p0, 0)).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        assertThat(t0).as("strength 0 is the renderer's image").isEqualTo(io.stylegan2.inversion.ReconstructionRenderer.render(g, tuned));
        // an explicit noise mode replaces the reconstruction's noise maps (the offsets stay)
        INDArray tConst = Edits.strip(g, tuned, d, new double[]{0}, NoiseMode.CONST, 0);
        assertThat(tConst.sub(t0).amaxNumber().doubleValue()).isGreaterThan(1e-4);
        INDArray offsetsOnly = Edits.strip(g, new Reconstruction(latent, HookState.CONST, deltas, Map.of()), d, new double[]{0});
        assertThat(tConst).isEqualTo(offsetsOnly);

        // saved and loaded: the same edit
        InversionResult r = new InversionResult("test", "t", tuned, t0, null, null, null, null, null);
        Path f = dir.resolve("result.safetensors");
        InversionResults.save(r, f);
        InversionResult back = InversionResults.load(f);
        assertThat(Edits.strip(g, back.reconstruction(), d, new double[]{0, 2})).isEqualTo(Edits.strip(g, tuned, d, new double[]{0, 2}));

        Reconstruction bad = new Reconstruction(latent, HookState.CONST, Map.of("synthesis.nope", Nd4j.zeros(1)), Map.of());
        assertThatThrownBy(() -> Edits.strip(g, bad, d, new double[]{0})).hasMessageContaining("synthesis.nope");
        Reconstruction badShape = new Reconstruction(latent, HookState.CONST, Map.of("synthesis.b8.conv0.weight", Nd4j.zeros(DataType.FLOAT, 3, 3, 16, 16)), Map.of());
        assertThatThrownBy(() -> Edits.strip(g, badShape, d, new double[]{0})).hasMessageContaining("synthesis.b8.conv0.weight")
                .hasMessageContaining("[16, 16, 3, 3]");
    }

    @Test
    void directionsComputedHereEditTheFixtureSizedGenerator() {
        // sum of two SeFa directions on different rows, rendered
        List<Direction> a = SeFa.compute(g, 2, new LayerRange(0, 2));
        Direction s = Direction.sum(List.of(a.get(0), a.get(1).withRange(3, 6)), new double[]{1, -1});
        INDArray strip = Edits.strip(g, ws(), s, new double[]{0, 1}, NoiseMode.CONST);
        assertThat(strip.shape()).containsExactly(2, 3, 16, 16);
    }
}
