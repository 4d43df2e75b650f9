package io.stylegan2.cli;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.engine.RealImages;
import io.stylegan2.inversion.sam.CandidateSpaces;
import io.stylegan2.inversion.sam.ErrorMaps;
import io.stylegan2.inversion.sam.InvertibilityData;
import io.stylegan2.inversion.sam.InvertibilityNetwork;
import io.stylegan2.inversion.sam.InvertibilityTrainer;
import io.stylegan2.inversion.sam.JointInversion;
import io.stylegan2.losses.GaussianPrior;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code train-invertibility}: SAM's invertibility network for a model. Runs the single-space
 * inversions of real training images ({@link InvertibilityData}: {@code OUT/targets.safetensors},
 * written after every chunk and continued when the command is run again), then regresses the
 * network on their error maps ({@link InvertibilityTrainer}: checkpoints in {@code OUT}, resumable),
 * holding out the last {@code --held-out} images to report the prediction error and the
 * correlation with the measured maps. Writes {@code OUT/invertibility.safetensors}.
 */
@Command(name = "train-invertibility", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train SAM's invertibility network: single-space inversions of real images, then a network that predicts each space's per-pixel error.",
                "Use the result with: invert --method sam --option invertibility=OUT/invertibility.safetensors"})
final class TrainInvertibilityCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Option(names = "--real-images", required = true, paramLabel = "DIR|IDX", description = "training images: a folder of PNG/JPEG files or an IDX file such as train-images-idx3-ubyte.gz")
    Path realImages;

    @Option(names = "--count", defaultValue = "128", paramLabel = "N", description = "images used, the first N of the folder or file (default: ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--held-out", defaultValue = "16", paramLabel = "H", description = "of those, the last H are not trained on and report the prediction quality (default: ${DEFAULT-VALUE})")
    int heldOut;

    @Option(names = "--inversion-steps", defaultValue = "100", paramLabel = "S",
            description = "steps of the initial W+ optimisation and of each single-space inversion after it (default: ${DEFAULT-VALUE}; SAM's README: 501)")
    int inversionSteps;

    @Option(names = "--chunk", defaultValue = "32", paramLabel = "K", description = "images inverted together in one graph (default: ${DEFAULT-VALUE})")
    int chunk;

    @Option(names = "--steps", defaultValue = "3000", paramLabel = "N", description = "regression steps (with --resume: counted from step 0; default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "16", description = "images per regression step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate of the regression (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--hidden", defaultValue = "32", description = "width of the network (default: ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the initial weights and the batch order (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--resume", paramLabel = "CKPT", description = "continue the regression from a checkpoint")
    Path resume;

    @Option(names = "--checkpoint-every", defaultValue = "500", paramLabel = "K", description = "checkpoint every K regression steps, 0 = only at the end (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    /** LPIPS weights make the error maps LPIPS's spatial maps (and add the LPIPS loss); without, the local-RMSE fallback. */
    @Mixin LpipsOptions lpips = new LpipsOptions(null, true);

    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        if (count < 2) throw Cli.usage(spec, "--count must be >= 2, got " + count);
        if (heldOut < 0 || heldOut >= count) throw Cli.usage(spec, "--held-out must be in 0.." + (count - 1) + ", got " + heldOut);
        if (inversionSteps < 1 || chunk < 1 || hidden < 1 || checkpointEvery < 0) throw Cli.usage(spec, "--inversion-steps, --chunk and --hidden must be >= 1, --checkpoint-every >= 0");
        InvertibilityTrainer.Options options;
        try {
            options = new InvertibilityTrainer.Options(steps, batch, lr, seed);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
        model.check();
        if (resume != null) Cli.requireReadableFile(spec, resume, "--resume");
        Cli.requireRealImages(spec, realImages);
        lpips.file();
        Path out = output.create();
        PrintWriter stdout = spec.commandLine().getOut();
        Lpips perceptual = null;
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            perceptual = lpips.load(g.config().imgResolution());
            Optional<Lpips> lp = Optional.ofNullable(perceptual);
            int res = g.config().imgResolution();
            RealImages images = RealImages.open(realImages, g.config().imgChannels(), res);
            if (images.count() < count) throw Cli.usage(spec, "--count " + count + ": " + realImages + " has only " + images.count() + " images");
            CandidateSpaces spaces = CandidateSpaces.of(g.config());
            stdout.printf(Locale.ROOT, "spaces %s; error maps %s; %d images (%d held out), %d steps per inversion%n",
                    spaces.names(), ErrorMaps.describe(lp, res), count, heldOut, inversionSteps);
            stdout.flush();
            Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
            InvertibilityData data = InvertibilityData.generate(g, images.range(0, count), lp, GaussianPrior.fit(g, GaussianPrior.SAM_SAMPLES, 0),
                    JointInversion.Settings.sam(inversionSteps), chunk, out.resolve("targets.safetensors"), bar, CancellationToken.NONE);
            stdout.println("mean measured error per space " + format(data.meanErrors()) + " (" + data.errorMap() + ")");
            InvertibilityData train = data.slice(0, count - heldOut);
            InvertibilityTrainer t;
            if (resume != null) {
                t = InvertibilityTrainer.resume(resume, train, options);
                stdout.println("resumed at step " + t.step() + " from " + resume);
            } else {
                double mean = Arrays.stream(train.meanErrors()).average().orElse(0.1);
                t = InvertibilityTrainer.start(InvertibilityNetwork.create(new InvertibilityNetwork.Config(spaces.names(), g.config().imgChannels(), res, hidden,
                        data.errorMap()), seed, mean), train, options);
            }
            t.train(bar, CancellationToken.NONE, checkpointEvery, out);
            InvertibilityNetwork net = t.network();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put(InvertibilityNetwork.META_GENERATOR, InvertibilityNetwork.fingerprint(g));
            meta.put(InvertibilityNetwork.META_DEFAULT_TAU, Double.toString(InvertibilityNetwork.defaultTauFor(train)));
            meta.put("training_images", realImages.toAbsolutePath() + " [0, " + (count - heldOut) + ")");
            meta.put("inversion_steps", Integer.toString(inversionSteps));
            meta.put("regression", io.stylegan2.stylegan.NativeModel.toJson(options));
            if (heldOut > 0) {
                InvertibilityData held = data.slice(count - heldOut, count);
                double mse = InvertibilityTrainer.mse(net, held);
                double[] corr = InvertibilityTrainer.correlation(net, held);
                meta.put("held_out_mse", Double.toString(mse));
                meta.put("held_out_correlation", format(corr));
                stdout.printf(Locale.ROOT, "held-out images %d..%d: prediction MSE %.5g; correlation with the measured maps per space %s%n", count - heldOut, count - 1, mse, format(corr));
            }
            Path file = out.resolve("invertibility.safetensors");
            net.save(file, meta);
            stdout.println("default tau " + meta.get(InvertibilityNetwork.META_DEFAULT_TAU) + "; wrote " + file);
            stdout.flush();
        } finally {
            if (perceptual != null) perceptual.close();
        }
        return 0;
    }

    private static String format(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", v[i]));
        return b.append(']').toString();
    }
}
