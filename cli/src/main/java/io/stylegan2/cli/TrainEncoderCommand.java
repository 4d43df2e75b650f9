package io.stylegan2.cli;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.encoder.Encoder;
import io.stylegan2.inversion.encoder.EncoderConfig;
import io.stylegan2.inversion.encoder.EncoderTrainer;
import io.stylegan2.inversion.encoder.LossWeights;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code train-encoder}: trains a pSp/ReStyle encoder ({@code --preset restyle}) or PadInv's
 * encoder ({@code --preset padinv}, or {@code padinv-wplus} without the padding branch) for a model
 * on generated images (or real images: a folder or an IDX file), writing {@code checkpoint-NNNNNN.safetensors} every K steps and after the last
 * step, and the final {@code encoder.safetensors}.
 */
@Command(name = "train-encoder", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a pSp/ReStyle encoder (image -> W+) for a model.")
final class TrainEncoderCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.Required model;

    @Option(names = "--steps", required = true, paramLabel = "N", description = "total training steps (with --resume: counted from step 0)")
    long steps;

    @Option(names = "--batch", defaultValue = "4", description = "images per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--iterations", paramLabel = "N", description = "ReStyle iterations per training step (default: 2; 1 for the padinv presets)")
    Integer iterations;

    @Option(names = "--preset", defaultValue = "restyle", paramLabel = "restyle|padinv|padinv-wplus",
            description = {"restyle: the small ReStyle encoder (default); padinv: PadInv's encoder (IR-SE backbone, padding branch up to 32 px, "
                    + "loss MSE 1 + LPIPS 0.8 + W-norm 0.003, one pass); padinv-wplus: the same without the padding branch (PadInv's W+ baseline)"})
    String preset;

    @Option(names = "--padded-up-to", defaultValue = "32", paramLabel = "R",
            description = "with --preset padinv: the finest padded resolution, a power of two >= 4 (default: ${DEFAULT-VALUE})")
    int paddedUpTo;

    @Option(names = "--adversarial", defaultValue = "0", paramLabel = "W",
            description = "weight of an adversarial term with a copy of the model's discriminator trained alongside (logistic loss, R1 10; PadInv: 0.03-0.05; default: off)")
    double adversarial;

    @Option(names = "--truncation", defaultValue = "1", paramLabel = "PSI", description = "truncation of the sampled latents (default: ${DEFAULT-VALUE})")
    double truncation;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the initial weights and the batches (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--real-images", paramLabel = "DIR|IDX", description = "train on the PNG/JPEG images of this folder, or an IDX file such as train-images-idx3-ubyte.gz (no latent loss)")
    Path realImages;

    /** LPIPS weights add the LPIPS loss; a folder needs {@code --lpips}. */
    @Mixin LpipsOptions lpips = new LpipsOptions(null, true);

    @Option(names = "--resume", paramLabel = "CKPT", description = "resume from a checkpoint (its config; its options unless given here)")
    Path resume;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "K", description = "checkpoint every K steps, 0 = only at the end (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        if (steps < 1) throw Cli.usage(spec, "--steps must be >= 1, got " + steps);
        if (batch < 1) throw Cli.usage(spec, "--batch must be >= 1, got " + batch);
        if (!(lr > 0) || !Double.isFinite(lr)) throw Cli.usage(spec, "--lr must be > 0, got " + lr);
        boolean padinv = preset.equals("padinv") || preset.equals("padinv-wplus");
        if (!padinv && !preset.equals("restyle")) throw Cli.usage(spec, "--preset: expected restyle, padinv or padinv-wplus, got '" + preset + "'");
        int iters = iterations != null ? iterations : padinv ? 1 : 2;
        if (iters < 1) throw Cli.usage(spec, "--iterations must be >= 1, got " + iters);
        if (!(adversarial >= 0) || !Double.isFinite(adversarial)) throw Cli.usage(spec, "--adversarial must be >= 0, got " + adversarial);
        if (paddedUpTo < 4 || Integer.bitCount(paddedUpTo) != 1) throw Cli.usage(spec, "--padded-up-to must be a power of two >= 4, got " + paddedUpTo);
        if (checkpointEvery < 0) throw Cli.usage(spec, "--checkpoint-every must be >= 0, got " + checkpointEvery);
        model.check();
        if (resume != null) Cli.requireReadableFile(spec, resume, "--resume");
        lpips.file();
        if (realImages != null) Cli.requireRealImages(spec, realImages);
        Path out = output.create();

        PrintWriter stdout = spec.commandLine().getOut();
        Lpips perceptual = null;
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            perceptual = lpips.load(g.config().imgResolution());
            LossWeights w = padinv ? LossWeights.padInv() : LossWeights.defaults();
            if (perceptual == null) w = new LossWeights(w.l2(), 0.0, w.latent(), w.wNorm(), w.wNormReduction());
            w = w.withAdversarial(adversarial);
            io.stylegan2.stylegan.Discriminator d = adversarial > 0 ? loaded.discriminator().load() : null;
            if (adversarial > 0 && d == null) throw Cli.usage(spec, "--adversarial: the model file has no discriminator");
            EncoderTrainer.Options opt = new EncoderTrainer.Options(batch, lr, truncation, iters, w, seed,
                    realImages == null ? null : realImages.toString());
            EncoderTrainer t;
            if (resume != null) {
                t = EncoderTrainer.resume(g, resume, opt, perceptual, d);
                stdout.println("resumed at step " + t.step() + " from " + resume);
            } else {
                EncoderConfig c = switch (preset) {
                    case "padinv" -> EncoderConfig.padInv(g.config(), paddedUpTo);
                    case "padinv-wplus" -> EncoderConfig.padInv(g.config(), 0);
                    default -> EncoderConfig.forGenerator(g.config());
                };
                t = new EncoderTrainer(g, c, opt, perceptual, d);
            }
            stdout.println("encoder: " + t.encoder().parameterCount() + " parameters, " + t.config());
            stdout.flush();
            Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
            long t0 = System.nanoTime(), s0 = t.step();
            t.train(steps, bar, CancellationToken.NONE, checkpointEvery, out);
            double sec = (System.nanoTime() - t0) / 1e9;
            Encoder e = t.encoder();
            Path file = out.resolve("encoder.safetensors");
            e.save(file);
            long ran = t.step() - s0;
            stdout.printf("trained %d steps in %.1f s (%.3f s/step); wrote %s%n", ran, sec, ran == 0 ? 0.0 : sec / ran, file);
            stdout.flush();
        } finally {
            if (perceptual != null) perceptual.close();
        }
        return 0;
    }
}
