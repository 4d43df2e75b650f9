package io.stylegan2.inversion.editing;

import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
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
        return g.mapping(Nd4j.randn(DataType.FLOAT, 1, CFG.zDim()), 1.0, -1);
    }

    @Test
    void strengthZeroReproducesTheUneditedRenderingExactly() {
        INDArray ws = ws();
        Direction d = SeFa.compute(g, 1, LayerRange.all(CFG.numWs())).get(0);
        for (NoiseMode mode : new NoiseMode[]{NoiseMode.CONST, NoiseMode.RANDOM}) {
            INDArray strip = Edits.strip(g, ws, d, new double[]{-3, 0, 3}, mode, 5, Map.of());
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

    /** Weight offsets (PTI): zero offsets render like the plain generator, others change the image; canonical conv layout is converted. */
    @Test
    void weightOffsetsFromAResultFile() throws Exception {
        INDArray ws = ws();
        Direction d = SeFa.compute(g, 1, LayerRange.all(CFG.numWs())).get(0);
        Map<String, INDArray> zero = new LinkedHashMap<>();
        zero.put("synthesis.b8.conv0.weight", Nd4j.zeros(DataType.FLOAT, 16, 16, 3, 3));   // canonical [out, in, kH, kW]
        INDArray z0 = Edits.strip(g, ws, d, new double[]{0, 2}, NoiseMode.CONST, 0, zero);
        INDArray p0 = Edits.strip(g, ws, d, new double[]{0, 2}, NoiseMode.CONST);
        assertThat(z0).as("zero offsets render exactly like the plain generator").isEqualTo(p0);

        Map<String, INDArray> tensors = new LinkedHashMap<>();
        tensors.put("ws", ws);
        Nd4j.getRandom().setSeed(8);
        tensors.put("delta/synthesis.b8.conv0.weight", Nd4j.randn(DataType.FLOAT, 16, 16, 3, 3).muli(0.5));
        tensors.put("delta/synthesis.b16.torgb.bias", Nd4j.ones(DataType.FLOAT, 3).muli(0.1));
        Path f = dir.resolve("result.safetensors");
        Safetensors.write(f, tensors, Map.of("format", "test"));
        ResultLatents r = ResultLatents.read(f);
        assertThat(r.ws()).isEqualTo(ws);
        assertThat(r.deltas().keySet()).containsExactly("synthesis.b8.conv0.weight", "synthesis.b16.torgb.bias");
        INDArray tuned = Edits.strip(g, r.ws(), d, new double[]{0}, NoiseMode.CONST, 0, r.deltas());
        assertThat(tuned.sub(img(p0, 0)).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        // graph-layout deltas give the same image
        Map<String, INDArray> graph = ResultLatents.toGraphLayout(r.deltas(), g.params());
        assertThat(graph.get("synthesis.b8.conv0.weight").shape()).containsExactly(3, 3, 16, 16);
        INDArray tuned2 = Edits.strip(g, r.ws(), d, new double[]{0}, NoiseMode.CONST, 0, graph);
        assertThat(tuned2).isEqualTo(tuned);
        assertThatThrownBy(() -> Edits.strip(g, ws, d, new double[]{0}, NoiseMode.CONST, 0, Map.of("synthesis.nope", Nd4j.zeros(1))))
                .hasMessageContaining("synthesis.nope");
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
