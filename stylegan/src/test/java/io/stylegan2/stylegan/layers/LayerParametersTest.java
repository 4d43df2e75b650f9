package io.stylegan2.stylegan.layers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.ops.Activation;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.CanonicalLayout;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.ParameterStore;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each layer reads exactly the parameters it declares, with the declared shapes, and the layers'
 * declarations (hence {@link CanonicalLayout}) equal the names and shapes of NVIDIA's own state dicts.
 */
class LayerParametersTest {
    static final List<Double> F = GeneratorConfig.DEFAULT_FILTER;

    /**
     * Builds the layer's forward on random parameters of its own declared shapes, runs it and checks
     * that the names it read are exactly the declared ones and the output has the expected shape.
     */
    static void readsExactlyItsParameters(Layer layer, long[] expectedOut, BiFunction<ParamBinding, SameDiff, SDVariable> forward) {
        ParameterStore store = LayerParams.random(1, layer);
        SameDiff sd = SameDiff.create();
        List<String> read = new ArrayList<>();
        SDVariable out = forward.apply(LayerParams.recording(sd, store, read::add), sd);
        assertThat(read).as(layer.prefix() + " reads").containsExactlyInAnyOrderElementsOf(layer.parameterShapes().keySet());
        assertThat(out.eval().shape()).as(layer.prefix() + " output").containsExactly(expectedOut);
    }

    static SDVariable input(SameDiff sd, long... shape) {
        return sd.constant(Nd4j.randn(DataType.DOUBLE, shape));
    }

    @Test
    void fullyConnectedLayer() {
        FullyConnectedLayer fc = new FullyConnectedLayer("mapping.fc1", 6, 5, Activation.LRELU, 0.01);
        assertThat(fc.parameterShapes().keySet()).containsExactly("mapping.fc1.weight", "mapping.fc1.bias");
        assertThat(fc.parameterShapes().get("mapping.fc1.weight")).containsExactly(5, 6);
        assertThat(fc.weightGain()).isEqualTo(0.01 / Math.sqrt(6));
        assertThat(fc.biasGain()).isEqualTo(0.01);
        readsExactlyItsParameters(fc, new long[]{2, 5}, (p, sd) -> fc.forward(p, input(sd, 2, 6)));
    }

    @Test
    void synthesisLayerReadsItsNoiseOnlyWhereTheModeUsesIt() {
        SynthesisLayer l = new SynthesisLayer("synthesis.b8.conv0", "b8.conv0", 4, 3, 5, 8, 2, F, null);
        assertThat(l.parameterShapes().keySet()).containsExactly("synthesis.b8.conv0.weight", "synthesis.b8.conv0.bias",
                "synthesis.b8.conv0.noise_strength", "synthesis.b8.conv0.noise_const", "synthesis.b8.conv0.affine.weight",
                "synthesis.b8.conv0.affine.bias");
        readsExactlyItsParameters(l, new long[]{2, 3, 8, 8}, (p, sd) ->
                l.forward(p, input(sd, 2, 4, 4, 4), l.styles(p, input(sd, 2, 5)), NoiseMode.CONST, null, null, 2));
        // without noise the layer reads neither noise parameter
        SameDiff sd = SameDiff.create();
        List<String> read = new ArrayList<>();
        ParamBinding p = LayerParams.recording(sd, LayerParams.random(2, l), read::add);
        l.forward(p, input(sd, 2, 4, 4, 4), l.styles(p, input(sd, 2, 5)), NoiseMode.NONE, null, null, 2).eval();
        assertThat(read).doesNotContain("synthesis.b8.conv0.noise_strength", "synthesis.b8.conv0.noise_const");
    }

    @Test
    void toRgbLayer() {
        ToRgbLayer t = new ToRgbLayer("synthesis.b8.torgb", "b8.torgb", 4, 3, 5, 8, F, 256.0);
        assertThat(t.weightGain()).isEqualTo(1 / Math.sqrt(4));
        readsExactlyItsParameters(t, new long[]{2, 3, 8, 8}, (p, sd) -> t.forward(p, input(sd, 2, 4, 8, 8), t.styles(p, input(sd, 2, 5)), 2));
    }

    @Test
    void synthesisBlocks() {
        SynthesisBlock first = new SynthesisBlock("synthesis", 4, 0, 4, 5, 3, F, null);
        assertThat(first.first()).isTrue();
        assertThat(first.parameterShapes().get("synthesis.b4.const")).containsExactly(4, 4, 4);
        readsExactlyItsParameters(first, new long[]{2, 3, 4, 4}, (p, sd) -> {
            SDVariable w = input(sd, 2, 5);
            SDVariable x = first.constInput(p, null, input(sd, 2, 2, 5));
            for (SynthesisLayer l : first.convs()) x = l.forward(p, x, l.styles(p, w), NoiseMode.CONST, null, null, 2);
            return first.addImage(null, first.toRgb().forward(p, x, first.toRgb().styles(p, w), 2));
        });
        SynthesisBlock later = new SynthesisBlock("synthesis", 8, 4, 3, 5, 3, F, null);
        assertThat(later.convs()).extracting(SynthesisLayer::id).containsExactly("b8.conv0", "b8.conv1");
        assertThat(later.parameterShapes()).doesNotContainKey("synthesis.b8.const");
    }

    @Test
    void conv2dLayerWithAndWithoutBias() {
        Conv2dLayer conv1 = new Conv2dLayer("b8.conv1", 4, 5, 3, true, Activation.LRELU, 2, F, 256.0, Math.sqrt(0.5));
        assertThat(conv1.weightGain()).isEqualTo(1 / Math.sqrt(4 * 9.0));
        assertThat(conv1.actGain()).isEqualTo(Math.sqrt(2) * Math.sqrt(0.5));
        assertThat(conv1.clamp()).isEqualTo(256.0 * Math.sqrt(0.5));
        readsExactlyItsParameters(conv1, new long[]{2, 5, 4, 4}, (p, sd) -> conv1.forward(p, input(sd, 2, 4, 8, 8)));
        Conv2dLayer skip = new Conv2dLayer("b8.skip", 4, 5, 1, false, Activation.LINEAR, 2, F, null, Math.sqrt(0.5));
        assertThat(skip.parameterShapes().keySet()).containsExactly("b8.skip.weight");
        readsExactlyItsParameters(skip, new long[]{2, 5, 4, 4}, (p, sd) -> skip.forward(p, input(sd, 2, 4, 8, 8)));
    }

    @Test
    void discriminatorBlockAndEpilogue() {
        DiscriminatorBlock b = new DiscriminatorBlock(16, 4, 5, 3, true, F, null);
        assertThat(b.parameterShapes().keySet()).containsExactly("b16.fromrgb.weight", "b16.fromrgb.bias", "b16.conv0.weight",
                "b16.conv0.bias", "b16.conv1.weight", "b16.conv1.bias", "b16.skip.weight");
        readsExactlyItsParameters(b, new long[]{2, 5, 8, 8}, (p, sd) -> b.forward(p, input(sd, 2, 3, 16, 16), new HashMap<>()));
        DiscriminatorEpilogue e = new DiscriminatorEpilogue(6, 4, 2, F, null);
        assertThat(e.parameterShapes().get("b4.conv.weight")).containsExactly(6, 8, 3, 3);
        readsExactlyItsParameters(e, new long[]{2, 1}, (p, sd) -> e.forward(p, input(sd, 2, 6, 4, 4), 2, new HashMap<>()));
    }

    @Test
    void inputShapesAreCheckedWithTheLayersName() {
        Conv2dLayer conv = new Conv2dLayer("b8.conv0", 4, 4, 3, true, Activation.LRELU, 1, F, null, 1.0);
        SynthesisLayer l = new SynthesisLayer("synthesis.b8.conv0", "b8.conv0", 4, 3, 5, 8, 2, F, null);
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, LayerParams.random(1, conv, l), "");
        assertThatThrownBy(() -> conv.forward(p, input(sd, 2, 3, 8, 8)))
                .hasMessage("b8.conv0: input shape [2, 3, 8, 8], expected [N, 4, H, W]");
        assertThatThrownBy(() -> l.forward(p, input(sd, 2, 4, 8, 8), input(sd, 2, 4), NoiseMode.NONE, null, null, 2))
                .hasMessage("synthesis.b8.conv0: input shape [2, 4, 8, 8], expected [N, 4, 4, 4]");
    }

    /** name -> shape of one network in NVIDIA's state dict (the fixed resample_filter buffers left out). */
    static Map<String, List<Long>> nvidiaShapes(JsonNode dict) {
        Map<String, List<Long>> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = dict.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().endsWith("resample_filter")) continue;
            List<Long> s = new ArrayList<>();
            e.getValue().get(0).forEach(d -> s.add(d.asLong()));
            m.put(e.getKey(), s);
        }
        return m;
    }

    static Map<String, List<Long>> ours(Map<String, long[]> layout) {
        Map<String, List<Long>> m = new TreeMap<>();
        layout.forEach((k, v) -> m.put(k, Arrays.stream(v).boxed().toList()));
        return m;
    }

    @Test
    void canonicalLayoutEqualsNvidiasStateDicts() throws Exception {
        // nv_s32_c64: NVlabs stylegan2-ada-pytorch G_ema and D (32 px, channel_base 1024, channel_max 64)
        JsonNode keys = new ObjectMapper().readTree(Fixtures.path("nvlabs/nv_s32_c64/state_dict_keys.json").toFile());
        GeneratorConfig gc = GeneratorConfig.nvlabs(64, 64, 2, 32, 3, 1024, 64);
        DiscriminatorConfig dc = DiscriminatorConfig.nvlabs(32, 3, 1024, 64);
        assertThat(ours(CanonicalLayout.generator(gc))).isEqualTo(nvidiaShapes(keys.get("G_ema")));
        assertThat(ours(CanonicalLayout.discriminator(dc))).isEqualTo(nvidiaShapes(keys.get("D")));
    }
}
