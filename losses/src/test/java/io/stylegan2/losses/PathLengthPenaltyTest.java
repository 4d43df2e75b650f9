package io.stylegan2.losses;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOverride;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.stylegan2.stylegan.TinyGenerators.tinyG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The path-length penalty's value and its gradient with respect to the generator's parameters (mapping
 * included, through style-mixed W+ codes), against central finite differences in float64; its W+ gradient
 * is tested in stylegan's SynthesisWsGradientTest.
 */
class PathLengthPenaltyTest {
    static final double RUNNING_MEAN = 0.3, DECAY = 0.01, WEIGHT = 2;

    /** One penalty graph: z, z2 (mixed at row 3), random synthesis noise, the image-space noise. */
    record Graph(SameDiff sd, ParamBinding p, PathLengthPenalty.Result r, SDVariable loss, Map<String, INDArray> feed) {
        double value() {
            return sd.output(feed, loss.name()).get(loss.name()).getDouble(0);
        }
    }

    static Graph graph(Generator g, long n) {
        GeneratorConfig c = g.config();
        SameDiff sd = SameDiff.create();
        ParamBinding p = new ParamBinding(sd, g.params(), "G/", name -> !name.equals("mapping.w_avg") && !name.endsWith("noise_const"), WeightOverride.NONE);
        Nd4j.getRandom().setSeed(17);
        SDVariable z = sd.constant("z", Nd4j.randn(DataType.DOUBLE, n, c.zDim())), z2 = sd.constant("z2", Nd4j.randn(DataType.DOUBLE, n, c.zDim()));
        INDArray m = Nd4j.zeros(DataType.DOUBLE, 1, c.numWs(), 1);
        for (int i = 0; i < 3; i++) m.putScalar(0, i, 0, 1.0);
        SDVariable mix = sd.constant("mix", m);
        SDVariable w = g.mappingNetwork().w(p, z).reshape(-1, 1, c.wDim()), w2 = g.mappingNetwork().w(p, z2).reshape(-1, 1, c.wDim());
        SDVariable ws = w.mul(mix).add(w2.mul(mix.rsub(1.0)));
        SDVariable noise = sd.constant("pl_noise", Nd4j.randn(DataType.DOUBLE, n, c.imgChannels(), c.imgResolution(), c.imgResolution()));
        Map<String, INDArray> feed = new HashMap<>();
        for (String l : g.synthesisNetwork().convLayers()) {
            int r = SynthesisNetwork.resolutionOf(l);
            feed.put("noise/" + l, Nd4j.randn(DataType.DOUBLE, n, 1, r, r));
        }
        PathLengthPenalty.Result r = PathLengthPenalty.build(g.synthesisNetwork(), p, ws, noise, NoiseMode.RANDOM,
                sd.constant(Nd4j.scalar(DataType.DOUBLE, RUNNING_MEAN)), DECAY);
        SDVariable loss = sd.mean(r.penalty()).mul(WEIGHT).rename("loss");
        sd.setLossVariables(loss);
        return new Graph(sd, p, r, loss, feed);
    }

    @Test
    void valuesFollowNvlabsDefinition() {
        Graph gr = graph(tinyG(null, 3, DataType.DOUBLE), 3);
        Map<String, INDArray> out = gr.sd().output(gr.feed(), gr.r().wsGradient().name(), gr.r().lengths().name(), gr.r().mean().name(),
                gr.r().penalty().name());
        INDArray g = out.get(gr.r().wsGradient().name());
        INDArray lengths = Transforms.sqrt(g.mul(g).sum(2).mean(1));
        double mean = RUNNING_MEAN + DECAY * (lengths.meanNumber().doubleValue() - RUNNING_MEAN);
        INDArray penalty = lengths.sub(mean);
        penalty.muli(penalty);
        assertThat(out.get(gr.r().lengths().name()).sub(lengths).amaxNumber().doubleValue()).isLessThan(1e-14);
        assertThat(out.get(gr.r().mean().name()).getDouble(0)).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-14));
        assertThat(out.get(gr.r().penalty().name()).sub(penalty).amaxNumber().doubleValue()).isLessThan(1e-14);
        assertThat(gr.value()).isCloseTo(WEIGHT * penalty.meanNumber().doubleValue(), org.assertj.core.data.Offset.offset(1e-14));
    }

    /** Every kind of parameter the penalty reaches: mapping, const, modulated convs (up-sampling ones too), affines, noise strengths, biases, ToRGB. */
    static final String[] PARAMS = {"mapping.fc0.weight", "mapping.fc1.bias", "synthesis.b4.const", "synthesis.b4.conv1.weight",
            "synthesis.b4.conv1.affine.weight", "synthesis.b4.conv1.noise_strength", "synthesis.b4.torgb.affine.bias",
            "synthesis.b8.conv0.weight", "synthesis.b8.conv0.affine.bias", "synthesis.b8.conv0.bias", "synthesis.b8.conv1.noise_strength",
            "synthesis.b8.torgb.weight", "synthesis.b16.conv0.weight", "synthesis.b16.conv0.affine.weight", "synthesis.b16.conv1.bias",
            "synthesis.b16.torgb.weight", "synthesis.b16.torgb.affine.weight", "synthesis.b16.torgb.bias"};

    static double worstFiniteDifferenceError(Generator g) {
        Graph gr = graph(g, 2);
        List<String> vars = new ArrayList<>();
        for (String s : PARAMS) vars.add(gr.p().graphName(s));
        Map<String, INDArray> grads = gr.sd().calculateGradients(gr.feed(), vars.toArray(new String[0]));
        double scale = grads.values().stream().mapToDouble(a -> a.amaxNumber().doubleValue()).max().orElseThrow();
        Random rnd = new Random(7);
        double eps = 1e-5, worst = 0;
        for (String v : vars) {
            INDArray arr = gr.sd().getVariable(v).getArr();
            // null: the penalty does not depend on it (a ToRGB bias only shifts the image)
            INDArray ga = grads.get(v) != null ? grads.get(v) : Nd4j.zeros(DataType.DOUBLE, arr.shape());
            for (int k = 0; k < 2; k++) {
                long i = (long) (rnd.nextDouble() * arr.length());
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + eps);
                double lp = gr.value();
                arr.putScalar(i, orig - eps);
                double lm = gr.value();
                arr.putScalar(i, orig);
                double num = (lp - lm) / (2 * eps), ana = ga.getDouble(i);
                double err = Math.abs(num - ana) / Math.max(Math.abs(num), 1e-3 * scale);
                System.out.printf("dPL/d%s[%d]: analytic %.12g numeric %.12g rel err %.2e%n", v, i, ana, num, err);
                worst = Math.max(worst, err);
                assertThat(err).as(v + "[" + i + "]").isLessThan(1e-6);
            }
        }
        return worst;
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        double worst = worstFiniteDifferenceError(tinyG(null, 4, DataType.DOUBLE));
        System.out.printf("dPL/dtheta: worst rel err %.3e%n", worst);
    }

    @Test
    void gradientMatchesFiniteDifferencesWithAnActiveClamp() {
        Generator g = tinyG(0.5, 5, DataType.DOUBLE);
        Graph gr = graph(g, 2);
        for (String layer : new String[] {"b8.conv1", "b16.conv1", "b16.torgb"}) {
            SDVariable out = gr.r().synthesis().layerOutputs().get(layer);
            assertThat(gr.sd().output(gr.feed(), out.name()).get(out.name()).amaxNumber().doubleValue()).as("clamp active in " + layer).isEqualTo(0.5);
        }
        double worst = worstFiniteDifferenceError(g);
        System.out.printf("dPL/dtheta, clamp 0.5: worst rel err %.3e%n", worst);
    }

    @Test
    void rejectsABadDecay() {
        Graph gr = graph(tinyG(null, 3, DataType.DOUBLE), 1);
        assertThatThrownBy(() -> PathLengthPenalty.build(null, gr.p(), null, null, NoiseMode.CONST, null, 0)).hasMessageContaining("decay");
    }
}
