package io.stylegan2.inversion.padinv;

import io.stylegan2.core.Progress;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.encoder.Encoder;
import io.stylegan2.inversion.encoder.EncoderConfig;
import io.stylegan2.inversion.encoder.EncoderInverter;
import io.stylegan2.inversion.encoder.EncoderTrainer;
import io.stylegan2.inversion.encoder.LossWeights;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.Mse;
import io.stylegan2.metrics.PixelRange;
import io.stylegan2.metrics.Psnr;
import io.stylegan2.metrics.Ssim;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Rows 1 and 2 of inversion/PADINV.md (opt-in: {@code -Dpadinv.encoder.experiment=true}; {@code
 * -Dpadinv.encoder.variant=padinv|padinv-wplus}, {@code .steps}, {@code .seed}, {@code .lr},
 * {@code .images}, {@code .adversarial} = the weight of the adversarial term with the shipped model's
 * discriminator, default 0): PadInv's encoder with and without the padding branch, trained the same way on
 * the Fashion-MNIST training images (the IDX file of Debian's dataset-fashion-mnist) against the
 * shipped trained G, then evaluated on test garments it never saw. The encoder is written to
 * {@code target/padinv/encoder-<variant>-<seed>.safetensors}.
 */
@EnabledIfSystemProperty(named = "padinv.encoder.experiment", matches = "true")
class PadInvEncoderExperiments {
    @Test
    void trainAndEvaluate() throws Exception {
        String name = System.getProperty("padinv.encoder.variant", "padinv");
        int steps = Integer.getInteger("padinv.encoder.steps", 2000);
        long seed = Long.getLong("padinv.encoder.seed", 0L);
        double lr = Double.parseDouble(System.getProperty("padinv.encoder.lr", "3e-4"));
        double adversarial = Double.parseDouble(System.getProperty("padinv.encoder.adversarial", "0"));
        String variant = adversarial > 0 ? name + "-adv" + adversarial : name;
        String[] images = System.getProperty("padinv.encoder.images", "100,101,102,103,104,105,106,107,108,109,110,111").split(",");
        Path idx = Paths.get(System.getProperty("padinv.encoder.idx", "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"));
        Path out = Paths.get("target/padinv");
        Files.createDirectories(out);
        Generator g = FixtureModel.trainedGenerator();
        EncoderConfig cfg = EncoderConfig.padInv(g.config(), name.equals("padinv") ? 32 : 0);
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            EncoderTrainer.Options o = new EncoderTrainer.Options(4, lr, 1.0, 1, LossWeights.padInv().withAdversarial(adversarial), seed, idx.toString());
            EncoderTrainer t = new EncoderTrainer(g, cfg, o, alex, adversarial > 0 ? FixtureModel.trainedDiscriminator() : null);
            long t0 = System.nanoTime();
            t.train(steps, new Progress() {
                @Override public void start(String task, long total) {}
                @Override public void update(long done, Map<String, Double> v) {
                    if (done % 250 == 0) System.out.printf("%s step %d: %s (%.0f s)%n", variant, done, v, (System.nanoTime() - t0) / 1e9);
                }
                @Override public void end() {}
            }, null, 0, null);
            Encoder e = t.encoder();
            e.save(out.resolve("encoder-" + variant + "-" + seed + ".safetensors"));
            System.out.printf("%s: %d parameters, %d steps in %.0f s%n", variant, e.parameterCount(), steps, (System.nanoTime() - t0) / 1e9);
            double[] sum = new double[4], sq = new double[4];
            EncoderInverter inv = new EncoderInverter(variant, g, e, 1, java.util.Optional.of(alex));
            for (String s : images) {
                int i = Integer.parseInt(s.trim());
                Target target = new Target("garment" + i, FixtureModel.garment(i));
                InversionResult r = inv.invert(target);
                double[] m = {Mse.image(target.image(), r.image()), Psnr.image(target.image(), r.image(), PixelRange.SIGNED_UNIT),
                        Ssim.image(target.image(), r.image(), PixelRange.SIGNED_UNIT), alex.distance(r.image(), target.image()).getDouble(0)};
                for (int k = 0; k < 4; k++) {
                    sum[k] += m[k];
                    sq[k] += m[k] * m[k];
                }
                System.out.printf("| %d | %s | %.5f | %.2f | %.4f | %.4f |%n", i, variant, m[0], m[1], m[2], m[3]);
            }
            int n = images.length;
            StringBuilder sb = new StringBuilder("mean ± sd " + variant + " (seed " + seed + ", " + steps + " steps):");
            for (int k = 0; k < 4; k++) {
                double mean = sum[k] / n, sd = Math.sqrt(Math.max(0, sq[k] / n - mean * mean) * n / Math.max(1, n - 1));
                sb.append(String.format(" %.5f ± %.5f", mean, sd));
            }
            System.out.println(sb);
        }
    }
}
