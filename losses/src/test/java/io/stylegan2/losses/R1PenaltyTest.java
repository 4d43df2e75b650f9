package io.stylegan2.losses;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.WeightOverride;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class R1PenaltyTest {
    /** 16x16, 3 -> 4 -> 5 -> 6 channels; random weights and (non-zero) biases, float64. */
    static Discriminator tinyD(int group, int mbstdChannels, Double clamp, long seed) {
        return tinyD(group, mbstdChannels, clamp, seed, DataType.DOUBLE);
    }

    static Discriminator tinyD(int group, int mbstdChannels, Double clamp, long seed, DataType dt) {
        DiscriminatorConfig cfg = new DiscriminatorConfig(16, 3, Map.of(4, 6, 8, 5, 16, 4), group, mbstdChannels, null, clamp, "resnet");
        Map<String, INDArray> params = Discriminator.randomParams(cfg, seed);
        params.replaceAll((name, v) -> name.endsWith(".bias") ? Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.3) : v);
        return Discriminator.create(cfg, params, dt);
    }

    static INDArray images(long n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, 3, 16, 16);
    }

    static double relErr(INDArray a, INDArray ref) {
        return a.sub(ref).amaxNumber().doubleValue() / ref.amaxNumber().doubleValue();
    }

    /** max relative error of the hand-written input gradient against SameDiff's autodiff of sum(D(x)). */
    static double inputGradientError(Discriminator d, long n) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, d.params(), "D/");
        INDArray x = images(n, 11 + n).castTo(d.params().dataType());
        SDVariable img = sd.var("img", x);
        DiscriminatorInputGradient.Result r = DiscriminatorInputGradient.build(d, p, img);
        SDVariable loss = sd.sum(r.logits());
        sd.setLossVariables(loss);
        INDArray auto = sd.calculateGradients(Map.of(), "img").get("img");
        Map<String, INDArray> out = sd.output(Map.of(), r.inputGradient().name(), r.logits().name());
        INDArray hand = out.get(r.inputGradient().name());
        assertThat(hand.shape()).containsExactly(n, 3, 16, 16);
        // the forward is Discriminator.build itself
        assertThat(relErr(out.get(r.logits().name()), d.logits(x))).isLessThan(d.params().dataType() == DataType.DOUBLE ? 1e-12 : 1e-6);
        return relErr(hand, auto);
    }

    @Test
    void inputGradientMatchesAutodiffForGroups1To4() {
        Discriminator d = tinyD(4, 1, null, 1);
        for (long n : new long[] {1, 2, 4}) {
            double err = inputGradientError(d, n);
            System.out.printf("input gradient, N=%d (mbstd group %d): max rel err %.3e%n", n, Math.min(4, n), err);
            assertThat(err).as("N=" + n).isLessThan(1e-10);
        }
    }

    @Test
    void inputGradientMatchesAutodiffWithTwoMbstdChannelsGroup2AndClamp() {
        // batch 4 with group 2 (two groups), F = 2 stddev maps, and a conv clamp that is active
        Discriminator d = tinyD(2, 2, 0.8, 2);
        SameDiff sd = SameDiff.create();
        DiscriminatorInputGradient.Result r = DiscriminatorInputGradient.build(d, ParamBinding.frozen(sd, d.params(), "D/"), sd.constant(images(4, 15)));
        INDArray a = sd.output(Map.of(), r.activations().get("b16.conv0").name()).get(r.activations().get("b16.conv0").name());
        assertThat(a.amaxNumber().doubleValue()).as("the clamp is active").isEqualTo(0.8);
        double err = inputGradientError(d, 4);
        System.out.printf("input gradient, N=4 group 2 F=2 clamp 0.8: max rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-10);
    }

    @Test
    void float32InputGradientMatchesAutodiff() {
        double err = inputGradientError(tinyD(4, 1, null, 4, DataType.FLOAT), 4);
        System.out.printf("input gradient, float32, N=4: max rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-5);
    }

    @Test
    void penaltyGradientMatchesFiniteDifferences() {
        Discriminator d = tinyD(4, 1, null, 3);
        long n = 4;
        SameDiff sd = SameDiff.create();
        ParamBinding p = new ParamBinding(sd, d.params(), "D/", name -> true, WeightOverride.NONE);
        SDVariable img = sd.constant("img", images(n, 5));
        double gamma = 10;
        R1Penalty.Result r = R1Penalty.build(d, p, img, gamma);
        sd.setLossVariables(r.penalty());

        // value: (gamma/2) * mean_n sum_chw g^2
        Map<String, INDArray> out = sd.output(Map.of(), r.penalty().name(), r.inputGradient().name());
        INDArray g = out.get(r.inputGradient().name());
        double expected = gamma / 2 * g.mul(g).sumNumber().doubleValue() / n;
        assertThat(out.get(r.penalty().name()).getDouble(0)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12 * expected));

        String[] names = {"b16.fromrgb.weight", "b16.fromrgb.bias", "b16.skip.weight", "b16.conv0.weight", "b16.conv0.bias",
                "b16.conv1.weight", "b8.conv1.bias", "b8.skip.weight", "b4.conv.weight", "b4.conv.bias", "b4.fc.weight", "b4.fc.bias",
                "b4.out.weight", "b4.out.bias"};
        List<String> vars = new ArrayList<>();
        for (String s : names) vars.add(p.graphName(s));
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), vars.toArray(new String[0]));
        double scale = grads.values().stream().mapToDouble(a -> a.amaxNumber().doubleValue()).max().orElseThrow();
        Random rnd = new Random(7);
        double eps = 1e-5, worst = 0;
        for (String v : vars) {
            INDArray arr = sd.getVariable(v).getArr();
            // null: R1 does not depend on it (biases after the minibatch stddev only move the lrelu masks)
            INDArray ga = grads.get(v) != null ? grads.get(v) : Nd4j.zeros(DataType.DOUBLE, arr.shape());
            for (int k = 0; k < 2; k++) {
                long i = (long) (rnd.nextDouble() * arr.length());
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + eps);
                double lp = sd.output(Map.of(), r.penalty().name()).get(r.penalty().name()).getDouble(0);
                arr.putScalar(i, orig - eps);
                double lm = sd.output(Map.of(), r.penalty().name()).get(r.penalty().name()).getDouble(0);
                arr.putScalar(i, orig);
                double num = (lp - lm) / (2 * eps), ana = ga.getDouble(i);
                // relative to the element, floored at 1e-3 of the largest gradient (some biases have ~none: in this tiny
                // net the activations entering the minibatch stddev have the same sign across the batch, so a bias shift
                // cancels in x - mean_G x)
                double err = Math.abs(num - ana) / Math.max(Math.abs(num), 1e-3 * scale);
                System.out.printf("dR1/d%s[%d]: analytic %.12g numeric %.12g rel err %.2e%n", v, i, ana, num, err);
                worst = Math.max(worst, err);
                assertThat(err).as(v + "[" + i + "]").isLessThan(1e-6);
            }
        }
        System.out.printf("dR1/dtheta: worst rel err %.3e%n", worst);
    }

    @Test
    void rejectsBadArguments() {
        Discriminator d = tinyD(4, 1, null, 1);
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, d.params(), "D/");
        assertThatThrownBy(() -> R1Penalty.build(d, p, sd.constant(images(2, 1)), -1)).hasMessageContaining("gamma");
        assertThatThrownBy(() -> R1Penalty.build(d, p, sd.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3, 8, 8)), 10)).hasMessageContaining("does not match");
    }
}
