package io.stylegan2.cli;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.training.Trainer;
import io.stylegan2.training.TrainingOptions;
import io.stylegan2.training.TrainingRuns;
import io.stylegan2.training.data.ImageDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code train}: StyleGAN2 training with NVlabs' recipe (see {@link Trainer}), in NVlabs
 * {@code train.py}'s vocabulary ({@code --kimg}, {@code --batch}, {@code --gamma}, {@code --mirror},
 * {@code --snap}, {@code --resume}). The run folder gets {@code metrics.jsonl}, {@code losses.png},
 * sample grids, network snapshots and training states; Ctrl-C (SIGINT/SIGTERM) writes a snapshot
 * before exiting, and {@code --resume RUN_DIR} continues exactly where the last one stopped.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a StyleGAN2 (G, D, G_ema) on a folder, zip or IDX file of images, or fine-tune a model.",
                "Resume a run exactly with --resume RUN_DIR (or a training-state file); fine-tune a converted checkpoint with --resume MODEL."})
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "training images: a folder, a .zip, or IDX (an *-idx3-ubyte[.gz] file or a folder with train-images-idx3-ubyte.gz)")
    Path data;

    @Option(names = "--fit", defaultValue = "resize", paramLabel = "resize|pad",
            description = "bring images to the resolution: resize (centre crop + area resize) or pad (centre on black; Fashion-MNIST 28 -> 32) (default: ${DEFAULT-VALUE})")
    ImageDataset.Fit fit;

    @Option(names = "--limit", defaultValue = "0", description = "use at most N images (0 = all)")
    int limit;

    @Mixin OutputOption output;

    @Option(names = "--resume", paramLabel = "PATH", description = "a run folder or training-state file (exact resume), or a model to fine-tune (native file, NVIDIA .pkl, rosinality .pt)")
    Path resume;

    // ----- model (a fresh run)
    @Option(names = "--resolution", paramLabel = "R", description = "image resolution of a fresh model (power of two)")
    Integer resolution;

    @Option(names = "--img-channels", defaultValue = "3", description = "image channels (default: ${DEFAULT-VALUE}; gray data is replicated to RGB)")
    int imgChannels;

    @Option(names = "--z-dim", defaultValue = "512") int zDim;
    @Option(names = "--w-dim", defaultValue = "512") int wDim;
    @Option(names = "--mapping-layers", defaultValue = "8") int mappingLayers;
    @Option(names = "--channel-base", defaultValue = "16384", description = "NVlabs channel_base (default: ${DEFAULT-VALUE}; 32768 is config-f)") int channelBase;
    @Option(names = "--channel-max", defaultValue = "512") int channelMax;

    @Option(names = "--channels", paramLabel = "RES:C,...", description = "an explicit channel table, e.g. 4:64,8:64,16:64,32:32 (G and D), instead of --channel-base/--channel-max")
    String channels;

    @Option(names = "--mbstd-group", defaultValue = "4", description = "minibatch-stddev group size (default: ${DEFAULT-VALUE})") int mbstdGroup;

    // ----- recipe
    @Option(names = "--kimg", defaultValue = "25000", description = "length of the run in thousands of real images (default: ${DEFAULT-VALUE})") double kimg;
    @Option(names = "--batch", defaultValue = "32") int batch;
    @Option(names = "--glr", defaultValue = "0.002", description = "G learning rate") double gLr;
    @Option(names = "--dlr", defaultValue = "0.002", description = "D learning rate") double dLr;
    @Option(names = "--gamma", defaultValue = "10", description = "R1 weight (default: ${DEFAULT-VALUE}; 0 = off)") double gamma;
    @Option(names = "--r1-interval", defaultValue = "16", description = "lazy R1 interval (default: ${DEFAULT-VALUE})") int r1Interval;
    @Option(names = "--g-reg-interval", defaultValue = "4", description = "lazy G regularisation interval: path length every N iterations, G's lr and betas corrected by N/(N+1) as NVlabs does even without path length; 0 = none (rosinality's loop without path length) (default: ${DEFAULT-VALUE})") int gRegInterval;
    @Option(names = "--pl-weight", paramLabel = "W", description = "path-length regularisation weight, every --g-reg-interval iterations on half the batch "
            + "(default: 2 at 64 px and above, 0 = off below, as NVlabs; 0 when --g-reg-interval is 0)") Double plWeight;
    @Option(names = "--style-mixing", defaultValue = "0.9", description = "style-mixing probability (default: ${DEFAULT-VALUE})") double styleMixing;
    @Option(names = "--ema-kimg", defaultValue = "10", description = "G_ema half-life in kimg (default: ${DEFAULT-VALUE})") double emaKimg;
    @Option(names = "--ema-rampup", defaultValue = "0.05", description = "G_ema ramp-up (default: ${DEFAULT-VALUE}; 0 = none)") double emaRampup;
    @Option(names = "--mirror", negatable = true, defaultValue = "true", fallbackValue = "true", description = "random x-flips (default: on)") boolean mirror;
    @Option(names = "--noise-mode", defaultValue = "random", paramLabel = "random|const") NoiseMode noiseMode;
    @Option(names = "--tick", defaultValue = "4", description = "kimg per tick: progress, metrics.jsonl (default: ${DEFAULT-VALUE})") double tick;
    @Option(names = "--snap", defaultValue = "50", description = "network snapshot + training state every N ticks (default: ${DEFAULT-VALUE}; 0 = at the end)") int snap;
    @Option(names = "--img-snap", defaultValue = "50", description = "sample grid every N ticks (default: ${DEFAULT-VALUE})") int imgSnap;
    @Option(names = "--seed", defaultValue = "0") long seed;

    @Override
    public Integer call() throws Exception {
        Path out = output.check();
        PrintWriter stdout = spec.commandLine().getOut();
        Trainer t = open(out, stdout);
        TrainingOptions options = t.options();
        stdout.printf(Locale.ROOT, "training to %.1f kimg (%d iterations of %d), %d images from %s; run folder %s%n", options.totalKimg(),
                options.iterations(), options.batch(), dataset.size(), dataset.source(), out);
        stdout.flush();
        CancellationToken cancel = new CancellationToken();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancel.cancel();
            try {
                done.await(120, TimeUnit.SECONDS);   // let the loop write its snapshot
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stylegan2-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
        long t0 = System.nanoTime();
        int it0 = t.iteration();
        try {
            t.train(bar, cancel);
        } catch (CancellationException e) {
            stdout.println("stopped at iteration " + t.iteration() + " (" + t.imagesShown() / 1000.0 + " kimg); snapshot written, resume with --resume " + out);
            return 130;
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        int its = t.iteration() - it0;
        stdout.printf(Locale.ROOT, "trained %d iterations (%.1f kimg) in %.1f s, %.1f images/s; the model (G_ema + D): %s%n", its,
                its * (double) options.batch() / 1000, sec, its * options.batch() / Math.max(sec, 1e-9), TrainingRuns.latestNetwork(out).orElse(out));
        stdout.flush();
        return 0;
    }

    private ImageDataset dataset;

    /**
     * NVlabs' path-length default for a resolution: on (weight 2) from 64 px up, off below (their
     * {@code cifar} config, 32 px, turns it off).
     */
    static double defaultPlWeight(int resolution) {
        return resolution >= 64 ? 2 : 0;
    }

    /** The recipe's options for a model of {@code resolution} (the path-length default depends on it). */
    private TrainingOptions options(int resolution) {
        try {
            return new TrainingOptions(batch, gLr, dLr, 0, 0.99, 1e-8, gamma, r1Interval, plWeight != null ? plWeight : gRegInterval == 0 ? 0 : defaultPlWeight(resolution),
                    gRegInterval, 0.01, 2, styleMixing, emaKimg, emaRampup, mirror, noiseMode, 0.995, kimg, tick, snap, imgSnap, seed);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
    }

    /** A fresh run, an exact resume (run folder or state file), or fine-tuning a model. */
    private Trainer open(Path out, PrintWriter stdout) throws Exception {
        if (resume != null && !Files.exists(resume)) throw Cli.usage(spec, "--resume: no such file or folder: " + resume);
        Path state = resume == null ? null : TrainingRuns.stateOf(resume).orElse(null);
        GeneratorConfig g;
        DiscriminatorConfig d;
        NativeModel fine = null, fineEma = null;
        if (state != null) {
            TrainingRuns.Header h = TrainingRuns.header(state);
            g = h.generator();
            d = h.discriminator();
        } else if (resume != null) {
            fine = readModel(resume, "g");
            fineEma = readModel(resume, "g_ema");
            g = fine.generatorConfig();
            d = fine.discriminatorConfig();
            if (d == null) throw Cli.usage(spec, "--resume " + resume + ": the model has no discriminator; fine-tuning needs it");
        } else {
            if (resolution == null) throw Cli.usage(spec, "a fresh run needs --resolution (or --resume)");
            try {
                Map<Integer, Integer> table = channels == null ? GeneratorConfig.channelTable(resolution, channelBase, channelMax) : parseChannels(channels);
                g = new GeneratorConfig(zDim, wDim, mappingLayers, 0.01, resolution, imgChannels, table, null, null, "skip");
                d = new DiscriminatorConfig(resolution, imgChannels, table, mbstdGroup, 1, null, null, "resnet");
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
        }
        TrainingOptions options = options(g.imgResolution());
        dataset = ImageDataset.load(data, g.imgResolution(), g.imgChannels(), fit, limit);
        Files.createDirectories(out);
        if (state != null) {
            Trainer t = Trainer.resume(state, options, dataset, out);
            stdout.println("resumed from " + state + " at iteration " + t.iteration() + " (" + t.imagesShown() / 1000.0 + " kimg)");
            return t;
        }
        if (fine != null) {
            stdout.println("fine-tuning " + resume);
            return Trainer.fineTune(fine, fineEma, options, dataset, out);
        }
        return Trainer.create(g, d, options, dataset, out);
    }

    /** A native model, or any checkpoint the converter reads (its {@code g} or {@code g_ema}). */
    private static NativeModel readModel(Path file, String generator) throws java.io.IOException {
        try {
            return NativeModel.read(file);
        } catch (java.io.IOException notNative) {
            return Converter.load(List.of(file), ConvertOptions.defaults().withGenerator(generator));
        }
    }

    /** {@code 4:64,8:64,16:64,32:32}. */
    static Map<Integer, Integer> parseChannels(String s) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (String part : s.split(",")) {
            String[] kv = part.trim().split(":");
            if (kv.length != 2) throw new IllegalArgumentException("--channels: expected RES:C pairs such as 4:64,8:64, got '" + part + "'");
            try {
                m.put(Integer.parseInt(kv[0].trim()), Integer.parseInt(kv[1].trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--channels: '" + part + "' is not RES:C with integers");
            }
        }
        return m;
    }
}
