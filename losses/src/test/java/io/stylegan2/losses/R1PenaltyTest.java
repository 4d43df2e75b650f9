package io.stylegan2.losses;

import io.stylegan2.stylegan.Discriminator;
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

import static io.stylegan2.stylegan.TinyDiscriminators.images;
import static io.stylegan2.stylegan.TinyDiscriminators.tinyD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The R1 penalty's value and parameter gradient (its input gradient is tested in stylegan's DiscriminatorInputGradientTest). */
class R1PenaltyTest {
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
