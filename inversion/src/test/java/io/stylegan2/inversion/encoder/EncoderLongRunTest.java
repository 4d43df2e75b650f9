package io.stylegan2.inversion.encoder;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.SplittableRandom;

/**
 * The measured run of ENCODER.md: the default encoder config and options on the fixture generator
 * for {@code -Dencoder.longRunMinutes=M} minutes; prints held-out MSE (baseline, 1, 3, 5 iterations)
 * every {@code -Dencoder.evalEvery=K} steps. Off unless the property is set.
 */
@EnabledIfSystemProperty(named = "encoder.longRunMinutes", matches = "\\d+(\\.\\d+)?")
class EncoderLongRunTest {
    @Test
    void longRun() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("encoder.longRunMinutes"));
        int evalEvery = Integer.getInteger("encoder.evalEvery", 100);
        double lr = Double.parseDouble(System.getProperty("encoder.lr", "1e-4"));
        Generator g = EncoderTestSupport.fixtureGenerator();
        EncoderConfig c = EncoderConfig.forGenerator(g.config());
        EncoderTrainer.Options o = EncoderTrainer.Options.defaults().withLr(lr).withSeed(1);
        EncoderTrainer t = new EncoderTrainer(g, c, o, null);
        System.out.printf("config %s%noptions %s%nencoder parameters %d%n", c, o, t.encoder().parameterCount());
        INDArray z = EncoderTrainer.gaussian(new SplittableRandom(12345), 16, g.config().zDim());
        INDArray target = g.synthesis(g.mapping(z, 1.0), NoiseMode.CONST, 0);
        double base = EncoderTrainerTest.mse(Encoder.averageImage(g, 16), target);
        System.out.printf("held-out (16 images) baseline G(w_avg) MSE %.5f%n", base);
        long t0 = System.nanoTime(), deadline = t0 + (long) (minutes * 60e9);
        double lossAcc = 0;
        int n = 0;
        while (System.nanoTime() < deadline) {
            lossAcc += t.trainStep().losses().get("total");
            n++;
            if (t.step() % evalEvery == 0) {
                double el = (System.nanoTime() - t0) / 1e9;
                Encoder.Result r = t.encoder().invert(g, target, 5);
                System.out.printf("step %d  %.1f s  %.3f s/step  train loss (mean of last %d) %.5f  held-out MSE it1 %.5f it3 %.5f it5 %.5f (baseline %.5f)%n",
                        t.step(), el, el / t.step(), n, lossAcc / n,
                        EncoderTrainerTest.mse(r.iterationImages().get(0), target), EncoderTrainerTest.mse(r.iterationImages().get(2), target),
                        EncoderTrainerTest.mse(r.iterationImages().get(4), target), base);
                lossAcc = 0;
                n = 0;
            }
        }
        double el = (System.nanoTime() - t0) / 1e9;
        Encoder.Result r = t.encoder().invert(g, target, 5);
        System.out.printf("FINAL step %d  %.1f s  %.3f s/step  held-out MSE it1 %.5f it3 %.5f it5 %.5f (baseline %.5f)%n", t.step(), el, el / t.step(),
                EncoderTrainerTest.mse(r.iterationImages().get(0), target), EncoderTrainerTest.mse(r.iterationImages().get(2), target),
                EncoderTrainerTest.mse(r.iterationImages().get(4), target), base);
    }
}
