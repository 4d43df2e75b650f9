package io.stylegan2.stylegan;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static io.stylegan2.stylegan.TinyDiscriminators.images;
import static io.stylegan2.stylegan.TinyDiscriminators.relErr;
import static io.stylegan2.stylegan.TinyDiscriminators.tinyD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Discriminator#inputGradient}: the hand-written input gradient against SameDiff's own autodiff. */
class DiscriminatorInputGradientTest {
    /** max relative error of the hand-written input gradient against SameDiff's autodiff of sum(upstream * D(x)). */
    static double inputGradientError(Discriminator d, long n, INDArray upstream) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, d.params(), "D/");
        INDArray x = images(n, 11 + n).castTo(d.params().dataType());
        SDVariable img = sd.var("img", x);
        SDVariable up = upstream == null ? null : sd.constant(upstream.castTo(d.params().dataType()));
        Discriminator.InputGradient r = d.inputGradient(p, img, up);
        SDVariable loss = sd.sum(up == null ? r.logits() : r.logits().mul(up));
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
            double err = inputGradientError(d, n, null);
            System.out.printf("input gradient, N=%d (mbstd group %d): max rel err %.3e%n", n, Math.min(4, n), err);
            assertThat(err).as("N=" + n).isLessThan(1e-10);
        }
    }

    @Test
    void inputGradientMatchesAutodiffWithTwoMbstdChannelsGroup2AndClamp() {
        // batch 4 with group 2 (two groups), F = 2 stddev maps, and a conv clamp that is active
        Discriminator d = tinyD(2, 2, 0.8, 2);
        SameDiff sd = SameDiff.create();
        Discriminator.InputGradient r = d.inputGradient(ParamBinding.frozen(sd, d.params(), "D/"), sd.constant(images(4, 15)));
        INDArray a = sd.output(Map.of(), r.activations().get("b16.conv0").name()).get(r.activations().get("b16.conv0").name());
        assertThat(a.amaxNumber().doubleValue()).as("the clamp is active").isEqualTo(0.8);
        double err = inputGradientError(d, 4, null);
        System.out.printf("input gradient, N=4 group 2 F=2 clamp 0.8: max rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-10);
    }

    @Test
    void inputGradientWithAnUpstreamGradientMatchesAutodiff() {
        Nd4j.getRandom().setSeed(3);
        double err = inputGradientError(tinyD(2, 1, null, 5), 4, Nd4j.randn(DataType.DOUBLE, 4, 1));
        System.out.printf("input gradient, N=4 with upstream: max rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-10);
    }

    @Test
    void float32InputGradientMatchesAutodiff() {
        double err = inputGradientError(tinyD(4, 1, null, 4, DataType.FLOAT), 4, null);
        System.out.printf("input gradient, float32, N=4: max rel err %.3e%n", err);
        assertThat(err).isLessThan(1e-5);
    }

    @Test
    void activationsHoldEveryLayerAndBlockInForwardOrder() {
        Discriminator d = tinyD(4, 1, null, 1);
        SameDiff sd = SameDiff.create();
        Discriminator.InputGradient r = d.inputGradient(ParamBinding.frozen(sd, d.params(), ""), sd.constant(images(2, 1)));
        assertThat(r.activations().keySet()).containsExactly("b16.fromrgb", "b16.skip", "b16.conv0", "b16.conv1", "b16",
                "b8.skip", "b8.conv0", "b8.conv1", "b8", "b4.conv", "b4.fc", "b4.out");
        assertThat(r.activations().get("b4.out")).isSameAs(r.logits());
    }

    @Test
    void rejectsInputsWithoutAMatchingStaticShape() {
        Discriminator d = tinyD(4, 1, null, 1);
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, d.params(), "D/");
        assertThatThrownBy(() -> d.inputGradient(p, sd.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3, 8, 8)))).hasMessageContaining("does not match");
        assertThatThrownBy(() -> d.inputGradient(p, sd.placeHolder("x", DataType.DOUBLE, -1, 3, 16, 16))).hasMessageContaining("static shape");
    }
}
