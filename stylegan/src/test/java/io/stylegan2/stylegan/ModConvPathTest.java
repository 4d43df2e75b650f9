package io.stylegan2.stylegan;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions.ModConvPath;
import io.stylegan2.core.ops.ModulatedConv2d;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The synthesis network gives the same image and W+ gradient (float64) whichever modulated-conv
 * path the engine setting {@code modconv} selects; AUTO mixes both in this config (fused for the
 * 16 px layers and every ToRGB, reference for the 4 and 8 px 3x3 convs).
 */
class ModConvPathTest {
    static final GeneratorConfig CFG = new GeneratorConfig(8, 8, 2, 0.01, 16, 3, Map.of(4, 8, 8, 6, 16, 4), null, null, "skip");

    static Map<String, INDArray> imageAndGradient(Generator g, INDArray ws, ModConvPath path) {
        return Engine.with(o -> o.withModconv(path), () -> {
            SameDiff sd = SameDiff.create();
            SDVariable w = sd.var("ws", ws.dup());
            SDVariable img = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), ""), w, NoiseMode.CONST,
                    SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image().rename("img");
            INDArray r = Nd4j.rand(DataType.DOUBLE, 1, 3, 16, 16).subi(0.5);
            sd.setLossVariables(sd.sum(img.mul(sd.constant(r))).rename("loss"));
            INDArray grad = sd.calculateGradients(Map.of(), "ws").get("ws");
            return Map.of("img", sd.output(Map.of(), "img").get("img"), "grad", grad);
        });
    }

    @Test
    void everyPathGivesTheSameImageAndGradient() {
        Map<String, INDArray> p = Generator.randomParams(CFG, 3);
        p.replaceAll((k, v) -> k.endsWith("noise_strength") ? Nd4j.scalar(DataType.FLOAT, 0.3f).reshape(new long[0]) : v);
        try (Generator g = Generator.create(CFG, p, DataType.DOUBLE)) {
            Nd4j.getRandom().setSeed(5);
            INDArray ws = Nd4j.randn(DataType.DOUBLE, 1, CFG.numWs(), CFG.wDim());
            Nd4j.getRandom().setSeed(9);
            Map<String, INDArray> ref = imageAndGradient(g, ws, ModConvPath.REFERENCE);
            for (ModConvPath path : new ModConvPath[] {ModConvPath.AUTO, ModConvPath.FUSED}) {
                Nd4j.getRandom().setSeed(9);
                Map<String, INDArray> other = imageAndGradient(g, ws, path);
                for (String k : new String[] {"img", "grad"}) {
                    double scale = ref.get(k).amaxNumber().doubleValue();
                    double diff = other.get(k).sub(ref.get(k)).amaxNumber().doubleValue();
                    assertThat(diff).as(path.name() + " " + k).isLessThanOrEqualTo(1e-12 * Math.max(1, scale));
                }
            }
        }
    }

    @Test
    void autoChoosesByWeightVersusActivationSize() {
        assertThat(ModulatedConv2d.preferFused(new long[] {3, 3, 4, 4}, 1, 16, 1)).isTrue();    // 144 < 2048
        assertThat(ModulatedConv2d.preferFused(new long[] {3, 3, 8, 8}, 1, 4, 1)).isFalse();    // 576 > 256
        assertThat(ModulatedConv2d.preferFused(new long[] {3, 3, 4, 4}, 2, 16, 1)).isFalse();   // batch > 1
        assertThat(ModulatedConv2d.preferFused(new long[] {3, 3, 4, 4}, -1, 16, 1)).isFalse();  // unknown batch
        // a frozen weight in a differentiated graph: the reference path's input-only backward wins
        assertThat(ModulatedConv2d.preferFused(new long[] {3, 3, 4, 4}, 1, 16, 1, true)).isFalse();
        assertThat(ModulatedConv2d.preferFused(new long[] {3, 3, 4, 4}, 1, 16, 1, false)).isTrue();
    }
}
