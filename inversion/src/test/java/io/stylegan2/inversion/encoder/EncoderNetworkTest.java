package io.stylegan2.inversion.encoder;

import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncoderNetworkTest {

    @Test
    void defaultConfigSplitsRowsLikePsp() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config());
        assertThat(c.numWs()).isEqualTo(8);
        assertThat(c.coarseRows() + c.mediumRows() + c.fineRows()).isEqualTo(8);
        assertThat(c.coarseRows()).isEqualTo(1);
        assertThat(c.mediumRows()).isEqualTo(2);
        assertThat(c.stages()).isEqualTo(3);
    }

    @Test
    void freshEncoderPredictsZeroOffsetAndGradientsReachEveryParameterAfterOneUpdate() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        Encoder e = Encoder.random(c, 1);
        INDArray target = g.synthesis(g.mapping(Nd4j.randn(2L, 64L).castTo(DataType.FLOAT), 1.0), io.stylegan2.stylegan.NoiseMode.CONST, 0);
        Encoder.Result r = e.invert(g, target, 2);
        assertThat(r.ws().shape()).containsExactly(2, 8, 64);
        assertThat(r.image().shape()).containsExactly(2, 3, 32, 32);
        INDArray avg = Encoder.averageWs(g, 2);
        assertThat(r.ws().sub(avg).amaxNumber().doubleValue()).isEqualTo(0.0);   // zero-initialised heads

        // backward through encoder + frozen generator
        EncoderGraph eg = new EncoderGraph(c, e.params(), g, LossWeights.defaults(), null);
        Map<String, INDArray> feed = eg.feed(target, Encoder.averageImage(g, 2), avg);
        eg.addTrainingFeed(feed, g.mapping(Nd4j.randn(2L, 64L).castTo(DataType.FLOAT), 1.0));
        Map<String, INDArray> grads = eg.sd.calculateGradients(feed, eg.varNames);
        assertThat(grads.keySet()).containsExactlyInAnyOrderElementsOf(eg.varNames);
        // zero heads: only the head linear layers get a gradient at init
        assertThat(grads.get("enc/head.fine.fc.w").norm2Number().doubleValue()).isGreaterThan(0);
        assertThat(grads.get("enc/head.coarse.fc.b").norm2Number().doubleValue()).isGreaterThan(0);
        // after perturbing the heads, every conv gets a gradient
        eg.params.forEach((n, a) -> { if (n.contains(".fc.")) a.addi(Nd4j.randn(a.shape()).castTo(DataType.FLOAT).muli(0.01)); });
        grads = eg.sd.calculateGradients(feed, eg.varNames);
        for (String v : eg.varNames)
            if (v.endsWith(".w")) assertThat(grads.get(v).norm2Number().doubleValue()).as(v).isGreaterThan(0);
    }

    @Test
    void gradientMatchesCentralDifferenceOnAConvWeight() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        Map<String, INDArray> p = EncoderNetwork.init(c, 3);
        p.forEach((n, a) -> { if (n.contains(".fc.")) a.assign(Nd4j.randn(7, a.shape()).castTo(DataType.FLOAT).muli(0.05)); });
        EncoderGraph eg = new EncoderGraph(c, p, g, new LossWeights(1, 0, 1, 0), null);
        INDArray target = g.synthesis(g.mapping(Nd4j.randn(5, new long[]{1, 64}).castTo(DataType.FLOAT), 1.0), io.stylegan2.stylegan.NoiseMode.CONST, 0);
        Map<String, INDArray> feed = eg.feed(target, Encoder.averageImage(g, 1), Encoder.averageWs(g, 1));
        eg.addTrainingFeed(feed, Encoder.averageWs(g, 1).addi(0.3));
        String var = "enc/s1.down.w";
        INDArray grad = eg.sd.calculateGradients(feed, var).get(var);
        INDArray w = eg.sd.getVariable(var).getArr();
        int checked = 0;
        for (int i = 0; i < w.length(); i += Math.max(1, w.length() / 3)) {
            double fd = EncoderTestSupport.centralDifference(eg, feed, var, i, 1e-2);
            assertThat(grad.getDouble(i)).as("element " + i).isCloseTo(fd, org.assertj.core.data.Offset.offset(0.03 * Math.abs(fd) + 1e-3));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    @Test
    void saveLoadRoundTripAndMismatchErrors(@TempDir Path dir) throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        Encoder e = Encoder.random(c, 9);
        Path f = dir.resolve("enc.safetensors");
        e.save(f);
        Encoder back = Encoder.load(f);
        assertThat(back.config()).isEqualTo(c);
        for (String n : e.params().keySet()) assertThat(back.params().get(n)).isEqualTo(e.params().get(n));
        Map<String, INDArray> bad = new HashMap<>(e.params());
        bad.remove("stem.w");
        assertThatThrownBy(() -> new Encoder(c, bad)).hasMessageContaining("do not match");
        EncoderConfig other = new EncoderConfig(64, 3, 10, 64, 8, 16, 0, 16, 1, 1, 2, 1.0, EncoderBackbone.RESIDUAL, java.util.List.of());
        assertThatThrownBy(() -> Encoder.random(other, 0).invert(g, Nd4j.zeros(DataType.FLOAT, 1, 3, 64, 64), 1)).hasMessageContaining("does not fit");
    }
}
