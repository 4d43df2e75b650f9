package io.stylegan2.inversion.encoder;

import io.stylegan2.core.Seeds;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The IR-SE backbone and PadInv's padding branch on the fixture generator (plumbing; claims are in PadInvExperiments). */
class PadInvEncoderTest {
    static EncoderConfig tiny(Generator g) {
        return EncoderConfig.padInv(g.config(), 32).tiny();
    }

    private static INDArray targets(Generator g, long seed, int n) {
        return g.synthesis(g.mapping(Seeds.randn(seed, DataType.FLOAT, n, g.config().zDim()), 1.0), NoiseMode.CONST, 0);
    }

    @Test
    void configNamesThePaddedLayersAndChecksTheGenerator() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = tiny(g);
        assertThat(c.backbone()).isEqualTo(EncoderBackbone.IR_SE);
        assertThat(c.paddedLayers()).containsExactly("b4.conv1", "b8.conv1", "b16.conv1", "b32.conv1");
        assertThat(c.paddedUpTo()).isEqualTo(32);
        assertThat(EncoderConfig.padInv(g.config(), 8).paddedLayers()).containsExactly("b4.conv1", "b8.conv1");
        assertThat(EncoderConfig.padInv(g.config(), 0).padded()).isFalse();
        EncoderConfig wrong = new EncoderConfig(c.resolution(), c.imgChannels(), c.numWs(), c.wDim(), 8, 16, 0, 16, 1, c.coarseRows(), c.mediumRows(), 1.0,
                EncoderBackbone.IR_SE, List.of(7, 7, 7, 7));
        assertThatThrownBy(() -> wrong.requireCompatible(g.config())).hasMessageContaining("padding branch");
    }

    @Test
    void aFreshPaddedEncoderDrawsThePlainGeneratorAtWAvg() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        Encoder e = Encoder.random(tiny(g), 2);
        assertThat(e.params()).containsKeys("s1.b0.bn0.gamma", "s1.b0.bn0.mean", "s1.b0.se.w1", "s1.b0.sc.w", "pad.b1.prelu", "pad.l3.w", "pad.const.w");
        Encoder.Result r = e.invert(g, targets(g, 1, 2), 1);
        INDArray avg = Encoder.averageWs(g, 2);
        assertThat(r.ws().sub(avg).amaxNumber().doubleValue()).isEqualTo(0.0);
        assertThat(r.padding()).containsOnlyKeys("b4.conv1", "b8.conv1", "b16.conv1", "b32.conv1");
        assertThat(r.padding().get("b16.conv1").shape()).containsExactly(2, g.config().channelsAt(16), 18, 18);
        for (INDArray m : r.padding().values()) assertThat(m.amaxNumber().doubleValue()).isEqualTo(0.0);
        INDArray learned = g.params().get("synthesis.b4.const").castTo(DataType.FLOAT);
        assertThat(r.constInput().get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).sub(learned).amaxNumber().doubleValue()).isEqualTo(0.0);
        assertThat(r.image().sub(g.synthesis(avg, NoiseMode.CONST, 0)).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void gradientsReachEveryParameterAndMatchCentralDifferences() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = tiny(g);
        Map<String, INDArray> p = EncoderNetwork.init(c, 3);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        p.forEach((n, a) -> { if (n.contains(".fc.") || n.startsWith("pad.l") || n.startsWith("pad.const")) a.assign(EncoderNetwork.normal(rnd, 0.05, a.shape())); });
        EncoderGraph eg = new EncoderGraph(c, p, g, new LossWeights(1, 0, 0, 0), null);
        assertThat(eg.varNames).noneMatch(v -> v.endsWith(".mean") || v.endsWith(".var"));
        assertThat(eg.statistics).containsKeys("stem.bn.mean", "pad.b0.bn1.var");
        INDArray target = targets(g, 4, 2);
        Map<String, INDArray> feed = eg.feed(target, Encoder.averageImage(g, 2), Encoder.averageWs(g, 2));
        eg.addTrainingFeed(feed, null);
        Map<String, INDArray> grads = eg.sd.calculateGradients(feed, eg.varNames);
        for (String v : eg.varNames) assertThat(grads.get(v).norm2Number().doubleValue()).as(v).isGreaterThan(0);
        for (String var : List.of("enc/s1.b0.bn1.gamma", "enc/s2.b0.prelu", "enc/s1.b0.se.w1", "enc/pad.b0.c0.w", "enc/pad.b1.bn0.beta", "enc/pad.l2.w", "enc/pad.const.b")) {
            INDArray grad = grads.get(var);
            int i = (int) Math.max(0, grad.reshape(-1).argMax().getInt(0));
            double fd = EncoderTestSupport.centralDifference(eg, feed, var, i, 1e-2);
            assertThat(grad.getDouble(i)).as(var + " element " + i).isCloseTo(fd, org.assertj.core.data.Offset.offset(0.05 * Math.abs(fd) + 2e-5));
        }
    }

    @Test
    void trainingMovesTheRunningStatisticsAndResumesExactly(@TempDir Path dir) throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = tiny(g);
        EncoderTrainer.Options o = EncoderTrainer.Options.defaults().withBatch(2).withIterations(1).withLr(1e-3).withSeed(3);
        EncoderTrainer straight = new EncoderTrainer(g, c, o, null);
        straight.train(4, null, null, 0, null);
        EncoderTrainer first = new EncoderTrainer(g, c, o, null);
        first.train(2, null, null, 2, dir);
        EncoderTrainer resumed = EncoderTrainer.resume(g, dir.resolve(EncoderTrainer.checkpointName(2)), null);
        resumed.train(4, null, null, 0, null);
        Encoder a = straight.encoder(), b = resumed.encoder();
        for (String n : a.params().keySet()) assertThat(a.params().get(n).sub(b.params().get(n)).amaxNumber().doubleValue()).as(n).isEqualTo(0.0);
        assertThat(a.params().get("stem.bn.mean").amaxNumber().doubleValue()).isGreaterThan(0);
        assertThat(a.params().get("pad.b0.bn0.var").sub(1).amaxNumber().doubleValue()).isGreaterThan(0);
        assertThat(a.params().get("pad.l3.w").amaxNumber().doubleValue()).isGreaterThan(0);
        // saved and loaded: the same padding maps in inference
        Path f = dir.resolve("enc.safetensors");
        a.save(f);
        Encoder back = Encoder.load(f);
        assertThat(back.config()).isEqualTo(c);
        INDArray t = targets(g, 9, 1);
        assertThat(back.invert(g, t, 1).padding().get("b8.conv1")).isEqualTo(a.invert(g, t, 1).padding().get("b8.conv1"));

        // the padinv method: one pass, maps and constant input saved with the result, redrawn by the shared renderer
        io.stylegan2.inversion.InversionResult r = io.stylegan2.inversion.Methods.builtIn().create("padinv",
                io.stylegan2.inversion.MethodContext.of(g).withOptions(Map.of("encoder", f.toString()))).invertOne(new io.stylegan2.inversion.Target("t", t), null, null);
        assertThat(r.method()).isEqualTo("padinv");
        assertThat(r.reconstruction().hooks().padding()).hasSize(4);
        assertThat(r.reconstruction().hooks().constInput()).isNotNull();
        Path saved = dir.resolve("result.safetensors");
        io.stylegan2.inversion.InversionResults.save(r, saved);
        io.stylegan2.inversion.InversionResult loaded = io.stylegan2.inversion.InversionResults.load(saved);
        INDArray redrawn = io.stylegan2.inversion.Methods.builtIn().renderer(loaded.method(), g, loaded.reconstruction()).render();
        assertThat(redrawn.sub(r.image()).amaxNumber().doubleValue()).isLessThan(1e-6);
        // a W+ encoder is refused by padinv
        Path wOnly = dir.resolve("w.safetensors");
        Encoder.random(EncoderConfig.padInv(g.config(), 0).tiny(), 1).save(wOnly);
        assertThatThrownBy(() -> io.stylegan2.inversion.Methods.builtIn().create("padinv",
                io.stylegan2.inversion.MethodContext.of(g).withOptions(Map.of("encoder", wOnly.toString())))).hasMessageContaining("no padding branch");
    }

    /** The optional adversarial term: a discriminator copy trained alongside; its state is checkpointed, so a resumed run equals a straight one. */
    @Test
    void adversarialTrainingResumesExactlyWithTheDiscriminatorState(@TempDir Path dir) throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        io.stylegan2.stylegan.Discriminator d = io.stylegan2.inversion.FixtureModel.discriminator();
        EncoderConfig c = tiny(g);
        EncoderTrainer.Options o = EncoderTrainer.Options.defaults().withBatch(2).withIterations(1).withLr(1e-3).withSeed(4)
                .withWeights(LossWeights.padInv().withAdversarial(0.05));
        assertThatThrownBy(() -> new EncoderTrainer(g, c, o, null)).hasMessageContaining("discriminator");
        INDArray before = d.params().get(d.params().names().iterator().next()).dup();
        EncoderTrainer straight = new EncoderTrainer(g, c, o, null, d);
        EncoderTrainer.StepResult last = straight.train(3, null, null, 0, null);
        assertThat(last.losses()).containsKeys("adv", "d_loss", "r1");
        EncoderTrainer first = new EncoderTrainer(g, c, o, null, d);
        first.train(2, null, null, 2, dir);
        EncoderTrainer resumed = EncoderTrainer.resume(g, dir.resolve(EncoderTrainer.checkpointName(2)), null, null, d);
        resumed.train(3, null, null, 0, null);
        Encoder a = straight.encoder(), b = resumed.encoder();
        for (String n : a.params().keySet()) assertThat(a.params().get(n).sub(b.params().get(n)).amaxNumber().doubleValue()).as(n).isEqualTo(0.0);
        // the model's own discriminator is not changed
        assertThat(d.params().get(d.params().names().iterator().next())).isEqualTo(before);
    }
}
