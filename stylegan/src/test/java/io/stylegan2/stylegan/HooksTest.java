package io.stylegan2.stylegan;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every generator hook: its identity setting reproduces the plain generator exactly (max |diff| = 0),
 * and a non-identity setting changes the output where (and only where) it should.
 */
class HooksTest {
    static final GeneratorConfig CFG = new GeneratorConfig(8, 8, 2, 0.01, 16, 3,
            Map.of(4, 8, 8, 6, 16, 4), null, null, "skip");
    static Generator g;
    static INDArray ws;

    @BeforeAll
    static void setUp() {
        Map<String, INDArray> p = Generator.randomParams(CFG, 7);
        // non-trivial noise strengths and biases so noise and bias paths are exercised
        p.replaceAll((k, v) -> k.endsWith("noise_strength") ? Nd4j.scalar(DataType.FLOAT, 0.3f).reshape(new long[0])
                : k.endsWith(".bias") && !k.startsWith("mapping") ? Nd4j.rand(DataType.FLOAT, v.shape()).subi(0.5) : v);
        g = Generator.create(CFG, p);
        Nd4j.getRandom().setSeed(11);
        ws = Nd4j.randn(DataType.FLOAT, 2, CFG.numWs(), CFG.wDim());
    }

    @AfterAll
    static void tearDown() {
        g.close();
    }

    /** Builds a graph with a W+ placeholder and const noise, lets the test add hooks, returns named outputs. */
    static Map<String, INDArray> run(Function<SameDiff, SynthesisHooks> hooks, WeightOverride override,
                                     Consumer<SynthesisNetwork.Output> extra, String... outputs) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = new ParamBinding(sd, g.params(), "", n -> false, override);
        SDVariable w = sd.placeHolder("ws", DataType.FLOAT, -1, CFG.numWs(), CFG.wDim());
        SynthesisNetwork.Output out = g.synthesisNetwork().build(p, w, NoiseMode.CONST, hooks.apply(sd), SynthesisNetwork.Start.FULL);
        out.image().rename("img");
        if (extra != null) extra.accept(out);
        String[] names = outputs.length == 0 ? new String[]{"img"} : outputs;
        return sd.output(Map.of("ws", ws), names);
    }

    static INDArray plain() {
        return g.synthesis(ws, NoiseMode.CONST, 0);
    }

    static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void graphBuiltWithoutHooksEqualsGeneratorSynthesis() {
        assertThat(maxDiff(run(sd -> SynthesisHooks.NONE, null, null).get("img"), plain())).isEqualTo(0.0);
    }

    @Test
    void perLayerWsRowsDriveTheRightLayers() {
        SynthesisNetwork s = g.synthesisNetwork();
        assertThat(s.wsIndex("b4.conv1")).isEqualTo(0);
        assertThat(s.wsIndex("b4.torgb")).isEqualTo(1);
        assertThat(s.wsIndex("b8.conv0")).isEqualTo(1);
        assertThat(s.wsIndex("b16.torgb")).isEqualTo(CFG.numWs() - 1);
        // change only row 3 (b8.torgb and b16.conv0): exactly those styles change
        INDArray ws2 = ws.dup();
        ws2.get(NDArrayIndex.all(), NDArrayIndex.point(3), NDArrayIndex.all()).addi(1.0);
        for (String layer : List.of("b4.conv1", "b4.torgb", "b8.conv0", "b8.conv1", "b8.torgb", "b16.conv0", "b16.conv1", "b16.torgb")) {
            INDArray a = styles(ws, layer), b = styles(ws2, layer);
            boolean changed = maxDiff(a, b) > 0;
            assertThat(changed).as(layer).isEqualTo(s.wsIndex(layer) == 3);
        }
        // a single w broadcast to every row equals the W+ built by hand
        INDArray w = ws.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()).dup();
        INDArray wp = Nd4j.create(DataType.FLOAT, 2, CFG.numWs(), CFG.wDim());
        for (int i = 0; i < CFG.numWs(); i++) wp.get(NDArrayIndex.all(), NDArrayIndex.point(i), NDArrayIndex.all()).assign(w);
        assertThat(maxDiff(g.synthesis(w, NoiseMode.CONST, 0), g.synthesis(wp, NoiseMode.CONST, 0))).isEqualTo(0.0);
    }

    private static INDArray styles(INDArray wsIn, String layer) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, g.params(), "");
        SDVariable w = sd.placeHolder("ws", DataType.FLOAT, -1, CFG.numWs(), CFG.wDim());
        SynthesisNetwork.Output out = g.synthesisNetwork().build(p, w, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL);
        out.styles().get(layer).rename("s");
        return sd.output(Map.of("ws", wsIn), "s").get("s");
    }

    @Test
    void zeroBorderPaddingIsExactAndOnlyTheRingMatters() {
        INDArray base = plain();
        // zero map and the explicit zero padder reproduce the plain generator
        INDArray zeroMap = run(sd -> SynthesisHooks.builder()
                .padding("b8.conv1", PaddingProviders.border(PaddingProviders.learnableBorder(sd, "b8.conv1", 6, 8, DataType.FLOAT)))
                .padding("b16.conv1", PaddingProviders.zeros()).build(), null, null).get("img");
        assertThat(maxDiff(zeroMap, base)).isEqualTo(0.0);
        // a map whose ring is zero but interior random: still identical (interior is overwritten)
        INDArray interior = Nd4j.rand(DataType.FLOAT, 1, 6, 10, 10).mul(PaddingProviders.ringMask(10, 10, DataType.FLOAT).rsub(1.0));
        INDArray inner = run(sd -> SynthesisHooks.builder()
                .padding("b8.conv1", PaddingProviders.border(sd.constant("m", interior))).build(), null, null).get("img");
        assertThat(maxDiff(inner, base)).isEqualTo(0.0);
        // a non-zero ring changes the image
        INDArray ring = Nd4j.rand(DataType.FLOAT, 1, 6, 10, 10);
        INDArray changed = run(sd -> SynthesisHooks.builder()
                .padding("b8.conv1", PaddingProviders.border(sd.constant("m", ring))).build(), null, null).get("img");
        assertThat(maxDiff(changed, base)).isGreaterThan(1e-3);
        // upsampling convs take no padding provider
        assertThatThrownBy(() -> run(sd -> SynthesisHooks.builder().padding("b8.conv0", PaddingProviders.zeros()).build(), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("b8.conv0");
    }

    @Test
    void featureAddAndReplaceAreExactAtIdentityAndLocalOtherwise() {
        INDArray base = plain();
        INDArray zero = run(sd -> SynthesisHooks.builder()
                .feature("b8", FeatureHooks.add(sd.constant("d", Nd4j.rand(DataType.FLOAT, 1, 6, 8, 8)), sd.constant("m", Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8))))
                .feature("b4", FeatureHooks.add(sd.constant("d4", Nd4j.zeros(DataType.FLOAT, 1, 8, 4, 4)))).build(), null, null).get("img");
        assertThat(maxDiff(zero, base)).isEqualTo(0.0);
        INDArray repl0 = run(sd -> SynthesisHooks.builder()
                .feature("b8", FeatureHooks.replace(sd.constant("f", Nd4j.rand(DataType.FLOAT, 2, 6, 8, 8)), sd.constant("m", Nd4j.zeros(DataType.FLOAT, 1, 1, 8, 8)))).build(), null, null).get("img");
        assertThat(maxDiff(repl0, base)).isEqualTo(0.0);

        // read the b8 feature, then replace it by itself everywhere: identical
        Map<String, INDArray> read = run(sd -> SynthesisHooks.NONE, null, o -> {
            o.blockFeatures().get("b8").rename("f8");
            o.blockImages().get("b8").rename("i8");
        }, "img", "f8", "i8");
        INDArray f8 = read.get("f8");
        INDArray self = run(sd -> SynthesisHooks.builder().feature("b8", FeatureHooks.replace(sd.constant("f", f8))).build(), null, null).get("img");
        assertThat(maxDiff(self, base)).isEqualTo(0.0);

        // a real offset at b8 changes the output but not b8's own skip image (SAM semantics)
        Map<String, INDArray> added = run(sd -> SynthesisHooks.builder()
                .feature("b8", FeatureHooks.add(sd.constant("d", Nd4j.ones(DataType.FLOAT, 1, 6, 8, 8)))).build(), null, o -> o.blockImages().get("b8").rename("i8"), "img", "i8");
        assertThat(maxDiff(added.get("img"), base)).isGreaterThan(1e-3);
        assertThat(maxDiff(added.get("i8"), read.get("i8"))).isEqualTo(0.0);
    }

    @Test
    void runFromBlockGivenFeatureReproducesTheFullRun() {
        Map<String, INDArray> read = run(sd -> SynthesisHooks.NONE, null, o -> {
            o.blockFeatures().get("b8").rename("f8");
            o.blockImages().get("b8").rename("i8");
        }, "img", "f8", "i8");
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, g.params(), "");
        SDVariable w = sd.placeHolder("ws", DataType.FLOAT, -1, CFG.numWs(), CFG.wDim());
        SynthesisNetwork.Output out = g.synthesisNetwork().build(p, w, NoiseMode.CONST, SynthesisHooks.NONE,
                new SynthesisNetwork.Start(16, sd.constant("f8", read.get("f8")), sd.constant("i8", read.get("i8"))));
        out.image().rename("img");
        assertThat(maxDiff(sd.output(Map.of("ws", ws), "img").get("img"), read.get("img"))).isEqualTo(0.0);
        assertThatThrownBy(() -> g.synthesisNetwork().build(p, w, NoiseMode.CONST, SynthesisHooks.NONE, new SynthesisNetwork.Start(16, null, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zeroWeightOffsetsAreExactAndTrainable() {
        INDArray base = plain();
        WeightOffsets zero = WeightOffsets.synthesis();
        assertThat(maxDiff(run(sd -> SynthesisHooks.NONE, zero, null).get("img"), base)).isEqualTo(0.0);
        assertThat(zero.deltas()).containsKey("synthesis.b16.conv1.weight").containsKey("synthesis.b4.const");

        // a non-zero delta on one weight changes the image; gradients reach the deltas
        INDArray d = Nd4j.rand(DataType.FLOAT, g.params().get("synthesis.b16.conv1.weight").shape()).muli(0.1);
        WeightOffsets one = new WeightOffsets(n -> n.equals("synthesis.b16.conv1.weight"), Map.of("synthesis.b16.conv1.weight", d));
        assertThat(maxDiff(run(sd -> SynthesisHooks.NONE, one, null).get("img"), base)).isGreaterThan(1e-4);

        SameDiff sd = SameDiff.create();
        WeightOffsets offsets = WeightOffsets.synthesis();
        ParamBinding p = new ParamBinding(sd, g.params(), "", n -> false, offsets);
        SDVariable w = sd.var("ws", ws.dup());
        SDVariable img = g.synthesisNetwork().build(p, w, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable loss = img.mul(img).sum().rename("loss");
        sd.setLossVariables(loss);
        String dn = offsets.deltas().get("synthesis.b8.conv0.weight").name();
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), dn, "ws");
        assertThat(grads.get(dn).amaxNumber().doubleValue()).isGreaterThan(0);
        assertThat(grads.get("ws").amaxNumber().doubleValue()).isGreaterThan(0);
    }

    @Test
    void identityChannelMixIsExact() {
        INDArray base = plain();
        INDArray id = run(sd -> SynthesisHooks.builder().feature("b8", FeatureHooks.channelMix(sd.constant("M", Nd4j.eye(6).castTo(DataType.FLOAT)))).build(), null, null).get("img");
        assertThat(maxDiff(id, base)).isEqualTo(0.0);
        INDArray mixed = run(sd -> SynthesisHooks.builder().feature("b8", FeatureHooks.channelMix(sd.constant("M", Nd4j.rand(DataType.FLOAT, 6, 6)))).build(), null, null).get("img");
        assertThat(maxDiff(mixed, base)).isGreaterThan(1e-3);
        assertThatThrownBy(() -> run(sd -> SynthesisHooks.builder().feature("b8", FeatureHooks.channelMix(sd.constant("M", Nd4j.eye(5).castTo(DataType.FLOAT)))).build(), null, null))
                .hasMessageContaining("b8");
    }

    @Test
    void trainableSetsAreChosenByTheCaller() {
        SameDiff sd = SameDiff.create();
        ParamBinding p = new ParamBinding(sd, g.params(), "G/", n -> n.startsWith("synthesis.b16."), null);
        SDVariable w = sd.var("ws", ws.dup());
        g.synthesisNetwork().build(p, w, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL);
        assertThat(sd.getVariable("G/synthesis.b16.conv1.weight").getVariableType()).isEqualTo(org.nd4j.autodiff.samediff.VariableType.VARIABLE);
        assertThat(sd.getVariable("G/synthesis.b8.conv1.weight").getVariableType()).isEqualTo(org.nd4j.autodiff.samediff.VariableType.CONSTANT);
        // the frozen store is never modified by a trainable copy
        assertThat(sd.getVariable("G/synthesis.b16.conv1.weight").getArr()).isNotSameAs(g.params().get("synthesis.b16.conv1.weight"));
    }

    @Test
    void mappingTruncationAndStyleMixing() {
        INDArray z = Nd4j.randn(DataType.FLOAT, 3, CFG.zDim());
        INDArray w1 = g.mapping(z, 1.0);
        INDArray w0 = g.mapping(z, 0.0);
        INDArray avg = g.wAvg();
        for (int i = 0; i < CFG.numWs(); i++)
            assertThat(maxDiff(w0.get(NDArrayIndex.point(1), NDArrayIndex.point(i), NDArrayIndex.all()), avg)).isLessThan(1e-6);
        INDArray cut = g.mapping(z, 0.0, 2);
        assertThat(maxDiff(cut.get(NDArrayIndex.all(), NDArrayIndex.point(5), NDArrayIndex.all()), w1.get(NDArrayIndex.all(), NDArrayIndex.point(5), NDArrayIndex.all()))).isEqualTo(0.0);
        INDArray mixed = g.mixStyles(w1, w0, 3);
        assertThat(maxDiff(mixed.get(NDArrayIndex.all(), NDArrayIndex.point(2), NDArrayIndex.all()), w1.get(NDArrayIndex.all(), NDArrayIndex.point(2), NDArrayIndex.all()))).isEqualTo(0.0);
        assertThat(maxDiff(mixed.get(NDArrayIndex.all(), NDArrayIndex.point(3), NDArrayIndex.all()), w0.get(NDArrayIndex.all(), NDArrayIndex.point(3), NDArrayIndex.all()))).isEqualTo(0.0);
        assertThatThrownBy(() -> g.mapping(Nd4j.zeros(DataType.FLOAT, 2, 5), 1)).hasMessageContaining("z").hasMessageContaining("[2, 5]");
        // no magic -1 for "all rows": the two-argument overload says it; a cutoff of num_ws is the same
        assertThat(maxDiff(g.mapping(z, 0.0, CFG.numWs()), w0)).isEqualTo(0.0);
        assertThat(maxDiff(g.mapping(z), w1)).isEqualTo(0.0);
        assertThatThrownBy(() -> g.mapping(z, 0.5, -1)).hasMessageContaining("truncation_cutoff must be >= 0");
    }

    @Test
    void randomNoiseIsSeededAndNoneModeDiffers() {
        INDArray a = g.synthesis(ws, NoiseMode.RANDOM, 5), b = g.synthesis(ws, NoiseMode.RANDOM, 5), c = g.synthesis(ws, NoiseMode.RANDOM, 6);
        assertThat(maxDiff(a, b)).isEqualTo(0.0);
        assertThat(maxDiff(a, c)).isGreaterThan(1e-4);
        assertThat(maxDiff(g.synthesis(ws, NoiseMode.NONE, 0), plain())).isGreaterThan(1e-4);
    }
}
