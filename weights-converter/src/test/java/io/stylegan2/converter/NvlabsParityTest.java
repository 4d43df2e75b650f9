package io.stylegan2.converter;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static io.stylegan2.core.testing.AllClose.relativeMaxError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity with NVlabs stylegan2-ada-pytorch ({@code nvlabs/nv_s32_c64}): the plain state dicts are
 * loaded (names are already canonical) and every golden array is reproduced: W and W+ (psi 1, 0.7),
 * images with {@code noise_mode='const'}, per-layer styles and activations, running images,
 * discriminator logits (batch 4 and 1) and the W+ / noise gradient of {@code sum(img * R)}.
 * Tolerances: 1e-4 absolute on images and activations (the fixture's float32-vs-float64 floor is
 * about 3e-6), 1e-4 relative to the tensor's scale on logits and gradients.
 */
class NvlabsParityTest {
    static final String DIR = "nvlabs/nv_s32_c64/";
    static final double ATOL = 1e-4;
    static Generator g;
    static Discriminator d;

    @SuppressWarnings("unchecked")
    static Map<String, INDArray> stateDict(String file) throws Exception {
        Map<String, INDArray> m = new LinkedHashMap<>();
        ((Map<String, Object>) TorchFiles.load(Fixtures.path(DIR + file))).forEach((k, v) -> m.put(k, (INDArray) v));
        return m;
    }

    static INDArray npy(String name) throws Exception {
        return Npy.read(Fixtures.path(DIR + name));
    }

    @BeforeAll
    static void load() throws Exception {
        // G_kwargs / D_kwargs of config.json
        GeneratorConfig gc = GeneratorConfig.nvlabs(64, 64, 2, 32, 3, 1024, 64);
        DiscriminatorConfig dc = DiscriminatorConfig.nvlabs(32, 3, 1024, 64);
        g = Generator.create(gc, stateDict("G_ema.state_dict.pt"));
        d = Discriminator.create(dc, stateDict("D.state_dict.pt"));
    }

    @AfterAll
    static void close() {
        g.close();
        d.close();
    }

    @Test
    void mappingAndTruncation() throws Exception {
        INDArray z = npy("z.npy");
        assertAllClose("ws psi=1", g.mapping(z, 1.0), npy("ws_psi1.0.npy"), 0, ATOL);
        assertAllClose("ws psi=0.7", g.mapping(z, 0.7), npy("ws_psi0.7.npy"), 0, ATOL);
        assertAllClose("w_avg", g.wAvg(), npy("w_avg.npy"), 0, 0);
    }

    @Test
    void imagesAtBothTruncations() throws Exception {
        for (String psi : new String[]{"1.0", "0.7"}) {
            INDArray img = g.synthesis(npy("ws_psi" + psi + ".npy"), NoiseMode.CONST, 0);
            assertAllClose("img psi=" + psi, img, npy("img_psi" + psi + ".npy"), 0, ATOL);
            INDArray fromZ = g.generate(npy("z.npy"), Double.parseDouble(psi), NoiseMode.CONST, 0);
            assertAllClose("G(z) psi=" + psi, fromZ, npy("img_psi" + psi + ".npy"), 0, ATOL);
        }
    }

    @Test
    void perLayerStylesActivationsAndImages() throws Exception {
        SameDiff sd = SameDiff.create();
        SDVariable ws = sd.placeHolder("ws", DataType.FLOAT, -1, 8, 64);
        SynthesisNetwork.Output out = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), ""), ws, NoiseMode.CONST,
                SynthesisHooks.NONE, SynthesisNetwork.Start.FULL);
        Map<String, String> expected = new LinkedHashMap<>();
        String[] layers = {"b4_conv1", "b4_torgb", "b8_conv0", "b8_conv1", "b8_torgb", "b16_conv0", "b16_conv1", "b16_torgb", "b32_conv0", "b32_conv1", "b32_torgb"};
        int[] styleIdx = {0, 2, 5, 7, 9, 12, 14, 16, 19, 21, 23};
        for (int i = 0; i < layers.length; i++) {
            String id = layers[i].replace('_', '.');
            out.styles().get(id).rename("style_" + id);
            out.layerOutputs().get(id).rename("act_" + id);
            expected.put("style_" + id, String.format("style_%02d_%s.npy", styleIdx[i], layers[i]));
            expected.put("act_" + id, String.format("act_%02d_%s.npy", styleIdx[i] + 1, layers[i]));
        }
        int[] imgIdx = {4, 11, 18, 25};
        int k = 0;
        for (int res = 4; res <= 32; res *= 2, k++) {
            SDVariable im = out.blockImages().get("b" + res);
            if (im == out.layerOutputs().get("b" + res + ".torgb")) { // b4: the running image is the ToRGB output itself
                assertAllClose("img_b4 vs act_b4_torgb fixtures", npy("act_03_b4_torgb.npy"), npy(String.format("img_%02d_b%d.npy", imgIdx[k], res)), 0, 0);
                continue;
            }
            im.rename("img_b" + res);
            expected.put("img_b" + res, String.format("img_%02d_b%d.npy", imgIdx[k], res));
        }
        Map<String, INDArray> got = sd.output(Map.of("ws", npy("ws_psi1.0.npy")), expected.keySet().toArray(new String[0]));
        for (Map.Entry<String, String> e : expected.entrySet()) {
            INDArray a = got.get(e.getKey()).get(NDArrayIndex.point(0));
            INDArray exp = npy(e.getValue());
            if (e.getKey().startsWith("style_") && e.getKey().endsWith("torgb"))
                a = a.mul(Math.sqrt(g.config().channelsAt(SynthesisNetwork.resolutionOf(e.getKey().substring(6))))); // fixture: before weight_gain
            assertAllClose(e.getKey() + " vs " + e.getValue(), a, exp, 0, ATOL);
        }
    }

    @Test
    void discriminatorLogits() throws Exception {
        for (String psi : new String[]{"1.0", "0.7"}) {
            INDArray img = npy("img_psi" + psi + ".npy");
            INDArray l4 = d.logits(img);
            assertThat(relativeMaxError(l4, npy("d_logits_psi" + psi + "_batch4.npy"))).as("D batch 4 psi " + psi).isLessThan(1e-4);
            INDArray l1 = org.nd4j.linalg.factory.Nd4j.create(DataType.FLOAT, 4, 1);
            for (int i = 0; i < 4; i++) l1.putRow(i, d.logits(img.get(NDArrayIndex.interval(i, i + 1))).getRow(0));
            assertThat(relativeMaxError(l1, npy("d_logits_psi" + psi + "_batch1.npy"))).as("D batch 1 psi " + psi).isLessThan(1e-4);
        }
    }

    @Test
    void wPlusAndNoiseGradients() throws Exception {
        Engine.get();
        SameDiff sd = SameDiff.create();
        SDVariable ws = sd.var("ws", npy("grad_ws_in.npy"));
        SynthesisHooks.Builder hooks = SynthesisHooks.builder();
        Map<String, String> noiseVars = new HashMap<>();
        for (String layer : g.synthesisNetwork().convLayers()) {
            SDVariable n = sd.var("noise/" + layer, npy("noise_const_" + layer.replace('.', '_') + ".npy"));
            hooks.noise(layer, n);
            noiseVars.put(n.name(), "grad_noise_const_" + layer.replace('.', '_') + ".npy");
        }
        SDVariable img = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), ""), ws, NoiseMode.CONST, hooks.build(),
                SynthesisNetwork.Start.FULL).image();
        SDVariable r = sd.constant("R", npy("grad_weights.npy"));
        SDVariable loss = img.mul(r).sum().rename("loss");
        sd.setLossVariables(loss);
        Map<String, INDArray> fwd = sd.output(Map.of(), img.name(), "loss");
        assertAllClose("grad img", fwd.get(img.name()), npy("grad_img.npy"), 0, ATOL);
        assertThat(fwd.get("loss").getDouble(0)).isCloseTo(39.1005859375, org.assertj.core.data.Offset.offset(1e-2));
        String[] names = new String[noiseVars.size() + 1];
        names[0] = "ws";
        int i = 1;
        for (String n : noiseVars.keySet()) names[i++] = n;
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), names);
        assertThat(relativeMaxError(grads.get("ws"), npy("grad_ws.npy"))).as("d loss / d ws").isLessThan(1e-4);
        for (Map.Entry<String, String> e : noiseVars.entrySet())
            assertThat(relativeMaxError(grads.get(e.getKey()), npy(e.getValue()))).as("d loss / d " + e.getKey()).isLessThan(1e-4);
    }
}
