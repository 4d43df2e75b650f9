package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The self-expressive layer on the trained Fashion-MNIST model (b8, 64 channels): a short training
 * lowers its loss and expresses held-out latents' features better than the same matrix shuffled;
 * the diagonal stays 0; the error measure against a closed form; the file round trip.
 */
class SelfExpressiveLayerTest {
    @TempDir Path dir;

    @Test
    void learnsAMatrixThatExpressesHeldOutFeaturesBetterThanItsShuffledEntries() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        SelfExpressiveLayer.Config c = new SelfExpressiveLayer.Config("b8", 4, 150, 1e-3, 1, 0.1, SelfExpressiveLayer.Sparsity.L1, 1e-4, 0);
        SelfExpressiveLayer.Result r = SelfExpressiveLayer.train(g, c, null, null);
        assertThat(r.matrix().shape()).containsExactly(64, 64);
        for (int i = 0; i < 64; i++) assertThat(r.matrix().getDouble(i, i)).isZero();
        Map<String, Double> first = r.history().get(0), last = r.history().get(r.history().size() - 1);
        assertThat(last.get("total")).isLessThan(0.5 * first.get("total"));
        double learned = SelfExpressiveLayer.error(g, "b8", r.matrix(), 32, 99);
        double shuffled = SelfExpressiveLayer.error(g, "b8", SelfExpressiveLayer.shuffled(r.matrix(), 1), 32, 99);
        assertThat(learned).as("held-out relative error").isLessThan(0.95).isLessThan(shuffled - 0.05);

        int[] labels = SubspaceClustering.cluster(r.matrix(), new SubspaceClustering.Settings(3, 4, 0.2, 3, 0));
        Subspaces s = new Subspaces("b8", r.matrix(), labels, 3, Map.of("steps", 150));
        s.save(dir.resolve("s.safetensors"));
        Subspaces back = Subspaces.load(dir.resolve("s.safetensors"));
        assertThat(back.labels()).containsExactly(labels);
        assertThat(back.sizes()).containsExactly(s.sizes());
        assertThat(back.sizes()[0]).isGreaterThanOrEqualTo(back.sizes()[1]).isGreaterThanOrEqualTo(back.sizes()[2]);
        assertThat(back.matrix().castTo(DataType.FLOAT)).isEqualTo(r.matrix().castTo(DataType.FLOAT));
        assertThat(back.mask(0).sumNumber().intValue()).isEqualTo(s.sizes()[0]);
        assertThat(back.settings()).containsEntry("steps", 150);
    }

    @Test
    void errorIsZeroForAnExactExpressionAndOneForTheZeroMatrix() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        assertThat(SelfExpressiveLayer.error(g, "b8", Nd4j.zeros(DataType.DOUBLE, 64, 64), 4, 3)).isCloseTo(1.0, within(1e-12));
        assertThat(SelfExpressiveLayer.error(g, "b8", Nd4j.eye(64), 4, 3)).isCloseTo(0.0, within(1e-12));
        INDArray half = Nd4j.eye(64).muli(0.5);   // (1 - 0.5)^2 of the energy is left
        assertThat(SelfExpressiveLayer.error(g, "b8", half, 4, 3)).isCloseTo(0.25, within(1e-9));
        assertThatThrownBy(() -> SelfExpressiveLayer.error(g, "b32", Nd4j.eye(32), 4, 3)).hasMessageContaining("b4 .. b16");
        assertThatThrownBy(() -> SelfExpressiveLayer.error(g, "b8", Nd4j.eye(3), 4, 3)).hasMessageContaining("[64, 64]");
    }

    /**
     * Gradient check of the masked channel mix the layer trains: for {@code L = sum(R * mix(M (1 - I), X))}
     * the gradient is {@code dL/dM[o, i] = (1 - I)[o, i] sum_{n,h,w} R[n, o, h, w] X[n, i, h, w]} (float64, closed form).
     */
    @Test
    void maskedChannelMixGradientMatchesTheClosedForm() {
        int c = 5;
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        INDArray xv = Nd4j.rand(DataType.DOUBLE, 2, c, 3, 4).subi(0.5), rv = Nd4j.rand(DataType.DOUBLE, 2, c, 3, 4).subi(0.5);
        org.nd4j.autodiff.samediff.SDVariable m = sd.var("M", Nd4j.rand(DataType.DOUBLE, c, c));
        org.nd4j.autodiff.samediff.SDVariable mask = sd.constant("mask", Nd4j.ones(DataType.DOUBLE, c, c).subi(Nd4j.eye(c)));
        org.nd4j.autodiff.samediff.SDVariable y = io.stylegan2.stylegan.FeatureHooks.channelMix(m.mul(mask), c).apply("b8", sd.constant("x", xv));
        org.nd4j.autodiff.samediff.SDVariable loss = y.mul(sd.constant("r", rv)).sum();
        sd.setLossVariables(loss);
        INDArray grad = sd.calculateGradients(Map.of(), "M").get("M");
        INDArray x2 = xv.permute(1, 0, 2, 3).dup('c').reshape(c, -1), r2 = rv.permute(1, 0, 2, 3).dup('c').reshape(c, -1);
        INDArray expected = r2.mmul(x2.transpose()).muli(mask.getArr());
        assertThat(grad.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-12);
        // and the forward: y[o] = sum_i M(1 - I)[o, i] x[i]
        INDArray fwd = y.eval().permute(1, 0, 2, 3).dup('c').reshape(c, -1);
        assertThat(fwd.sub(m.getArr().mul(mask.getArr()).mmul(x2)).amaxNumber().doubleValue()).isLessThan(1e-12);
    }
}
