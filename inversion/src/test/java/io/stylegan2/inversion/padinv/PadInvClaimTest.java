package io.stylegan2.inversion.padinv;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.testing.FashionMnistSamples;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.encoder.Encoder;
import io.stylegan2.inversion.encoder.EncoderConfig;
import io.stylegan2.inversion.encoder.EncoderInverter;
import io.stylegan2.inversion.encoder.EncoderTrainer;
import io.stylegan2.inversion.encoder.LossWeights;
import io.stylegan2.metrics.Mse;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PadInv's claim for the encoder at a tiny budget, on the trained network: the same encoder with and
 * without the padding branch (same seed, so the same initial shared weights and the same batches),
 * trained {@value #STEPS} steps on shipped Fashion-MNIST test garments 0-{@value #TRAIN}, evaluated
 * on garments {@value #TRAIN}-{@value #LAST} it never saw: the padding encoder reconstructs with a
 * lower mean MSE. The ordering of the optimisation rows is {@link PadInvOptTest}; full-length numbers
 * are in inversion/PADINV.md.
 */
class PadInvClaimTest {
    static final int STEPS = Integer.getInteger("padinv.claim.steps", 200), TRAIN = 200, LAST = 255;

    @Test
    void thePaddingBranchLowersTheEncodersErrorOnUnseenGarments(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Path train = dir.resolve("train");
        java.nio.file.Files.createDirectories(train);
        for (int i = 0; i < TRAIN; i++) Images.writePng(FashionMnistSamples.padded(i, 3), train.resolve(String.format("g%03d.png", i)));
        double[] mse = new double[2];
        for (int v = 0; v < 2; v++) {
            EncoderConfig cfg = EncoderConfig.padInv(g.config(), v == 0 ? 0 : 32);
            EncoderTrainer.Options o = new EncoderTrainer.Options(4, 3e-4, 1.0, 1, new LossWeights(1, 0, 0, 0.003, io.stylegan2.losses.Regularisers.Reduction.FROBENIUS), 7, train.toString());
            EncoderTrainer t = new EncoderTrainer(g, cfg, o, null);
            t.train(STEPS, null, null, 0, null);
            Encoder e = t.encoder();
            EncoderInverter inv = new EncoderInverter(g, e, 1);
            for (int i = TRAIN; i <= LAST; i++) mse[v] += Mse.image(FashionMnistSamples.padded(i, 3), inv.invert(new Target("g" + i, FashionMnistSamples.padded(i, 3))).image());
            mse[v] /= LAST - TRAIN + 1;
        }
        System.out.printf("PadInv encoder claim at %d steps: unseen-garment MSE W+ only %.5f, with padding %.5f%n", STEPS, mse[0], mse[1]);
        assertThat(mse[1]).isLessThan(mse[0]);
    }
}
