package io.stylegan2.inversion.engine;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The graph builder: what each latent kind builds, which variables train, and its checks. */
class MethodGraphTest {

    @Test
    void aTrainableWWithNoiseMapsDrawsTheGeneratorsImage() throws Exception {
        Generator g = FixtureModel.generator();
        Map<String, INDArray> noise = new LinkedHashMap<>();
        for (String l : g.synthesisNetwork().convLayers()) {
            int r = io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(l);
            noise.put(l, Nd4j.rand(DataType.FLOAT, 1, 1, r, r));
        }
        MethodGraph mg = MethodGraph.builder(g).latentW(g.wAvg(), true).trainableNoise(noise).build();
        assertThat(mg.trainables()).first().isEqualTo("w");
        assertThat(mg.trainables()).hasSize(1 + noise.size());
        assertThat(mg.latent().space()).isEqualTo(LatentSpace.W);
        INDArray img = mg.sd().output(mg.zeroLatentNoise(), mg.image().name()).get(mg.image().name());
        // the same image as the generator with these noise maps and w broadcast
        INDArray expect = g.synthesis(g.wAvg().reshape(1, -1), NoiseMode.RANDOM, noise);
        assertThat(img.sub(expect).amaxNumber().doubleValue()).isLessThan(1e-5);
        assertThat(mg.hookState().noise()).containsOnlyKeys(noise.keySet().toArray(new String[0]));
    }

    @Test
    void aFedLatentWithTunedWeights() throws Exception {
        Generator g = FixtureModel.generator();
        MethodGraph mg = MethodGraph.builder(g).scope("t/").latentPlaceholder(1).tuneWeights(MethodGraph.SYNTHESIS_PARAMETERS).build();
        assertThat(mg.latentPlaceholder()).isEqualTo("t/ws");
        assertThat(mg.offsets()).isNotEmpty().allSatisfy((k, v) -> assertThat(k).startsWith("synthesis.").doesNotEndWith("noise_const"));
        assertThat(mg.trainables()).allMatch(n -> n.startsWith("delta/"));
        INDArray ws = FixtureModel.ws(3, 0.7);
        INDArray img = mg.sd().output(mg.feedLatent(ws), mg.image().name()).get(mg.image().name());
        assertThat(img.sub(g.synthesis(ws, NoiseMode.CONST, 0)).amaxNumber().doubleValue()).as("zero offsets").isLessThan(1e-5);
        assertThatThrownBy(mg::latentValue).hasMessageContaining("not a trainable variable");
    }

    @Test
    void clearErrors() throws Exception {
        Generator g = FixtureModel.generator();
        assertThatThrownBy(() -> MethodGraph.builder(g).build()).hasMessageContaining("exactly one latent");
        assertThatThrownBy(() -> MethodGraph.builder(g).latentWPlus(g.wAvg()).latentPlaceholder(1).build()).hasMessageContaining("got 2");
        assertThatThrownBy(() -> MethodGraph.builder(g).latentPlaceholder(1).tuneWeights(n -> false).build())
                .hasMessageContaining("no parameter of the generator was selected");
        assertThatThrownBy(() -> MethodGraph.builder(g).latentW(Nd4j.zeros(DataType.FLOAT, 3), false)).hasMessageContaining("w_dim");
        assertThatThrownBy(() -> MethodGraph.builder(g).target(Nd4j.zeros(DataType.FLOAT, 1, 3, 16, 16)))
                .hasMessageContaining("target").hasMessageContaining("[1, 3, 32, 32]");
    }
}
