package io.stylegan2.inversion.encoder;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncoderTrainerTest {

    private static EncoderTrainer.Options tinyOptions() {
        return EncoderTrainer.Options.defaults().withBatch(1).withIterations(2).withLr(1e-3).withSeed(5);
    }

    @Test
    void resumeFromCheckpointEqualsStraightRunExactly(@TempDir Path dir) throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        EncoderTrainer straight = new EncoderTrainer(g, c, tinyOptions(), null);
        straight.train(6, null, null, 0, null);

        EncoderTrainer first = new EncoderTrainer(g, c, tinyOptions(), null);
        first.train(4, null, null, 4, dir);
        Path ckpt = dir.resolve(EncoderTrainer.checkpointName(4));
        assertThat(ckpt).exists();
        assertThat(EncoderTrainer.checkpointOptions(ckpt)).isEqualTo(tinyOptions());
        EncoderTrainer resumed = EncoderTrainer.resume(g, ckpt, null);
        assertThat(resumed.step()).isEqualTo(4);
        resumed.train(6, null, null, 0, null);
        assertThat(resumed.step()).isEqualTo(6);

        Encoder a = straight.encoder(), b = resumed.encoder();
        double maxDiff = 0;
        for (String n : a.params().keySet()) maxDiff = Math.max(maxDiff, a.params().get(n).sub(b.params().get(n)).amaxNumber().doubleValue());
        assertThat(maxDiff).isEqualTo(0.0);
        // and the 4-step encoder differs (training moved it)
        double moved = first.encoder().params().get("head.fine.fc.w").sub(a.params().get("head.fine.fc.w")).amaxNumber().doubleValue();
        assertThat(moved).isGreaterThan(0);
    }

    @Test
    void cancellationSavesACheckpointAndStops(@TempDir Path dir) throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        EncoderTrainer t = new EncoderTrainer(g, c, tinyOptions().withIterations(1), null);
        io.stylegan2.core.CancellationToken cancel = new io.stylegan2.core.CancellationToken();
        io.stylegan2.core.Progress cancelAfterOneStep = new io.stylegan2.core.Progress() {
            @Override public void start(String task, long total) {}
            @Override public void update(long done, java.util.Map<String, Double> values) { if (done >= 1) cancel.cancel(); }
            @Override public void end() {}
        };
        assertThatThrownBy(() -> t.train(10, cancelAfterOneStep, cancel, 0, dir)).isInstanceOf(CancellationException.class)
                .hasMessageContaining("cancelled after 1 steps");
        assertThat(t.step()).isEqualTo(1);
        assertThat(dir.resolve(EncoderTrainer.checkpointName(1))).exists();
        assertThatThrownBy(() -> EncoderTrainer.resume(g, dir.resolve("missing.safetensors"), null)).isInstanceOf(java.io.IOException.class);
        Path notCkpt = dir.resolve("enc.safetensors");
        t.encoder().save(notCkpt);
        assertThatThrownBy(() -> EncoderTrainer.resume(g, notCkpt, null)).hasMessageContaining("not an encoder checkpoint");
    }

    @Test
    void shortTrainingBeatsTheAverageLatentBaseline() throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        EncoderTrainer t = new EncoderTrainer(g, c, EncoderTrainer.Options.defaults().withBatch(2).withIterations(2).withLr(2e-3).withSeed(1), null);
        int steps = 30;
        double first = 0, last = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            double total = t.trainStep().losses().get("total");
            if (s < 5) first += total / 5;
            if (s >= steps - 5) last += total / 5;
        }
        double msPerStep = (System.nanoTime() - t0) / 1e6 / steps;
        Encoder e = t.encoder();

        INDArray z = EncoderTrainer.gaussian(new SplittableRandom(12345), 8, g.config().zDim());
        INDArray target = g.synthesis(g.mapping(z, 1.0), NoiseMode.CONST, 0);
        double base = mse(Encoder.averageImage(g, 8), target);
        Encoder.Result r = e.invert(g, target, 3);
        double it1 = mse(r.iterationImages().get(0), target), it2 = mse(r.iterationImages().get(1), target), it3 = mse(r.iterationImages().get(2), target);
        System.out.printf("encoder test: loss %.5f -> %.5f, held-out MSE baseline %.5f, iter1 %.5f, iter2 %.5f, iter3 %.5f, %.0f ms/step%n",
                first, last, base, it1, it2, it3, msPerStep);
        assertThat(last).isLessThan(first);
        assertThat(it1).isLessThan(base);
        // iterating up to the trained count (2) does not increase the error; a third stays close
        assertThat(it2).isLessThanOrEqualTo(it1);
        assertThat(it3).isLessThan(base);
    }

    @Test
    void trainsOnAFolderOfRealImagesWithoutTheLatentLoss(@TempDir Path dir) throws Exception {
        Generator g = EncoderTestSupport.fixtureGenerator();
        INDArray imgs = g.synthesis(g.mapping(EncoderTrainer.gaussian(new SplittableRandom(3), 3, 64), 1.0), NoiseMode.CONST, 0);
        for (int i = 0; i < 3; i++)
            io.stylegan2.core.io.Images.writePng(imgs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup('c'), dir.resolve("img" + i + ".png"));
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        EncoderConfig c = EncoderConfig.forGenerator(g.config()).tiny();
        EncoderTrainer t = new EncoderTrainer(g, c, tinyOptions().withIterations(1).withRealImages(dir), null);
        EncoderTrainer.StepResult r = t.trainStep();
        assertThat(r.losses().get("latent")).isEqualTo(0.0);
        assertThat(r.losses().get("l2")).isGreaterThan(0.0);
        assertThatThrownBy(() -> new EncoderTrainer(g, c, tinyOptions().withRealImages(dir.resolve("none")), null)).hasMessageContaining("not a folder");
    }

    static double mse(INDArray a, INDArray b) {
        INDArray d = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE));
        return d.mul(d).meanNumber().doubleValue();
    }
}
