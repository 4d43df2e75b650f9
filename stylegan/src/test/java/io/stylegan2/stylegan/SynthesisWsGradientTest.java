package io.stylegan2.stylegan;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.engine.EngineOptions;
import io.stylegan2.core.engine.EngineOptions.BiasActPath;
import io.stylegan2.core.engine.EngineOptions.ConvBackward;
import io.stylegan2.core.engine.EngineOptions.ModConvPath;
import io.stylegan2.core.engine.EngineOptions.Upfirdn2dPath;
import io.stylegan2.stylegan.layers.ModulatedLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static io.stylegan2.stylegan.TinyDiscriminators.relErr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SynthesisNetwork#wsGradient}: the hand-written W+ gradient of {@code sum(upstream * image)} against
 * SameDiff's own autodiff of the same forward, for a 16 px network (two up-sampling blocks, skip branches),
 * batch 2, with constant, random and no noise, an active conv clamp, and both modulated-conv formulations.
 */
class SynthesisWsGradientTest {
    static final GeneratorConfig CFG = TinyGenerators.config(null);

    static Generator generator(Double clamp, long seed, DataType dt) {
        return TinyGenerators.tinyG(clamp, seed, dt);
    }

    /** The hand-written gradient, SameDiff's gradient and the layer outputs of one case. */
    record Case(INDArray hand, INDArray auto, Map<String, INDArray> outputs) {
        double error() {
            return relErr(hand, auto);
        }
    }

    static Case run(Generator g, long n, NoiseMode noise, ModConvPath path, long seed) {
        return run(g, n, noise, o -> o.withModconv(path), seed);
    }

    static Case run(Generator g, long n, NoiseMode noise, UnaryOperator<EngineOptions> engine, long seed) {
        return Engine.with(engine, () -> {
            DataType dt = g.params().dataType();
            SameDiff sd = SameDiff.create();
            Nd4j.getRandom().setSeed(seed);
            SDVariable ws = sd.var("ws", Nd4j.randn(dt, n, CFG.numWs(), CFG.wDim()));
            SDVariable up = sd.constant("upstream", Nd4j.randn(dt, n, CFG.imgChannels(), CFG.imgResolution(), CFG.imgResolution()));
            Map<String, INDArray> feed = new HashMap<>();
            if (noise == NoiseMode.RANDOM)
                for (String l : g.synthesisNetwork().convLayers()) {
                    int r = SynthesisNetwork.resolutionOf(l);
                    feed.put("noise/" + l, Nd4j.randn(dt, n, 1, r, r));
                }
            SynthesisNetwork.WsGradient r = g.synthesisNetwork().wsGradient(ParamBinding.frozen(sd, g.params(), ""), ws, up, noise, SynthesisHooks.NONE);
            sd.setLossVariables(sd.sum(r.forward().image().mul(up)).rename("loss"));
            INDArray auto = sd.calculateGradients(feed, "ws").get("ws");
            List<String> names = new java.util.ArrayList<>();
            names.add(r.wsGradient().name());
            r.forward().layerOutputs().values().forEach(v -> names.add(v.name()));
            Map<String, INDArray> out = sd.output(feed, names.toArray(new String[0]));
            Map<String, INDArray> layers = new HashMap<>();
            r.forward().layerOutputs().forEach((k, v) -> layers.put(k, out.get(v.name())));
            INDArray hand = out.get(r.wsGradient().name());
            assertThat(hand.shape()).containsExactly(n, CFG.numWs(), CFG.wDim());
            return new Case(hand, auto, layers);
        });
    }

    @Test
    void wsGradientMatchesAutodiffForEveryNoiseMode() {
        Generator g = generator(null, 3, DataType.DOUBLE);
        for (NoiseMode noise : NoiseMode.values()) {
            double err = run(g, 2, noise, ModConvPath.REFERENCE, 11).error();
            System.out.printf("W+ gradient, noise %s: max rel err %.3e%n", noise, err);
            assertThat(err).as(noise.name()).isLessThan(1e-10);
        }
    }

    @Test
    void wsGradientMatchesAutodiffWithAnActiveClamp() {
        double clamp = 0.4;
        Case c = run(generator(clamp, 4, DataType.DOUBLE), 2, NoiseMode.RANDOM, ModConvPath.REFERENCE, 12);
        // the clamp is reached by a 3x3 conv and a ToRGB layer
        assertThat(c.outputs().get("b16.conv1").amaxNumber().doubleValue()).isEqualTo(clamp);
        assertThat(c.outputs().get("b8.torgb").amaxNumber().doubleValue()).isEqualTo(clamp);
        System.out.printf("W+ gradient, random noise, clamp %.1f: max rel err %.3e%n", clamp, c.error());
        assertThat(c.error()).isLessThan(1e-10);
    }

    @Test
    void wsGradientMatchesAutodiffOnTheFusedPath() {
        // a W+ variable has a static batch size, so FUSED takes the fused formulation for every layer
        Generator g = generator(0.6, 5, DataType.DOUBLE);
        for (long n : new long[] {1, 2}) {
            Case fused = run(g, n, NoiseMode.CONST, ModConvPath.FUSED, 13);
            Case ref = run(g, n, NoiseMode.CONST, ModConvPath.REFERENCE, 13);
            System.out.printf("W+ gradient, fused path, N=%d: max rel err %.3e (vs reference path %.3e)%n", n, fused.error(), relErr(fused.hand(), ref.hand()));
            assertThat(fused.error()).as("N=" + n).isLessThan(1e-10);
            assertThat(relErr(fused.hand(), ref.hand())).as("N=" + n).isLessThan(1e-10);
        }
    }

    @Test
    void wsGradientMatchesAutodiffForEveryUpfirdn2dAndBiasActFormulation() {
        Generator g = generator(0.6, 7, DataType.DOUBLE);
        Map<String, UnaryOperator<EngineOptions>> engines = new java.util.LinkedHashMap<>();
        engines.put("upfirdn2d conv", o -> o.withUpfirdn2d(Upfirdn2dPath.CONV));
        engines.put("upfirdn2d reference", o -> o.withUpfirdn2d(Upfirdn2dPath.REFERENCE));
        engines.put("bias_act reference", o -> o.withBiasAct(BiasActPath.REFERENCE));
        engines.put("stock conv backward", o -> o.withConvBackward(ConvBackward.STOCK));
        engines.forEach((what, engine) -> {
            double err = run(g, 2, NoiseMode.RANDOM, engine, 15).error();
            System.out.printf("W+ gradient, %s: max rel err %.3e%n", what, err);
            assertThat(err).as(what).isLessThan(1e-10);
        });
    }

    @Test
    void float32WsGradientMatchesAutodiff() {
        double err = run(generator(null, 6, DataType.FLOAT), 2, NoiseMode.RANDOM, ModConvPath.REFERENCE, 14).error();
        System.out.printf("W+ gradient, float32: max rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-5);
    }

    @Test
    void buildRecordsEveryLayerAndRejectsHooksWithoutABackward() {
        Generator g = generator(null, 3, DataType.DOUBLE);
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, g.params(), "");
        SDVariable ws = sd.var("ws", Nd4j.randn(DataType.DOUBLE, 1, CFG.numWs(), CFG.wDim()));
        Map<String, SDVariable> acts = new java.util.LinkedHashMap<>();
        SynthesisNetwork.Output out = g.synthesisNetwork().build(p, ws, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL, acts);
        for (String id : out.layerOutputs().keySet()) {
            assertThat(acts.get(id)).as(id).isSameAs(out.layerOutputs().get(id));
            assertThat(acts.get(id + ModulatedLayer.STYLES)).as(id).isSameAs(out.styles().get(id));
            assertThat(acts).containsKeys(id + ModulatedLayer.INPUT, id + ModulatedLayer.CONV);
        }
        SynthesisHooks padding = SynthesisHooks.builder().padding("b8.conv1", x -> x).build();
        assertThatThrownBy(() -> g.synthesisNetwork().wsGradient(p, ws, sd.constant(Nd4j.zeros(DataType.DOUBLE, 1, 3, 16, 16)), NoiseMode.CONST, padding))
                .hasMessageContaining("not supported");
    }
}
