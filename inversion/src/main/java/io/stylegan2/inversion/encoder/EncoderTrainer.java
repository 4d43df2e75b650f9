package io.stylegan2.inversion.encoder;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.inversion.engine.AlternatingDiscriminator;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

/**
 * Trains an {@link Encoder} against a frozen generator (pSp losses, ReStyle iterations).
 *
 * <p>Each step draws a batch: by default generated images ({@code z ~ N(0, I)} from a generator
 * seeded by {@code (seed, step)}, {@code w = mapping(z, psi)}, image with const noise; the true W+
 * enters the latent loss), or, with {@link Options#realImages()}, images from that folder or IDX
 * file (e.g. Fashion-MNIST's {@code train-images-idx3-ubyte.gz}; no latent loss). It then runs {@link Options#iterations()} ReStyle iterations from {@code (w_avg,
 * G(w_avg))}, each a separate forward/backward with the previous reconstruction and latent fed as
 * data (detached), sums the gradients, divides by the number of iterations and takes one Adam step.
 * The batch is a pure function of {@code (seed, step)}, so a resumed run equals a straight one.
 * The graph is a {@link io.stylegan2.inversion.engine.MethodGraph} ({@link EncoderGraph}), the
 * steps run in the shared {@link OptimisationLoop}.
 *
 * <p><b>Thread safety:</b> Not thread-safe: a trainer owns its graph, Adam state and step counter
 * and updates them in place; use one instance per thread (or guard it externally). The
 * {@code Generator} may be shared (it serialises its calls). {@link Options} is immutable;
 * {@link StepResult} is shallowly immutable (the loss map is not copied).
 */
public final class EncoderTrainer {
    private static final Logger log = LoggerFactory.getLogger(EncoderTrainer.class);
    public static final String CHECKPOINT_FORMAT = "stylegan2-encoder-checkpoint/1";
    static final String META_OPTIONS = "train_options", META_STEP = "step", META_ADAM_T = "adam_t", META_D_COUNTERS = "discriminator_steps";

    /**
     * @param batch         images per step
     * @param lr            Adam learning rate (constant)
     * @param truncationPsi truncation of the sampled latents
     * @param iterations    ReStyle iterations per training step
     * @param weights       loss weights
     * @param seed          seed of the initial weights and of every batch
     * @param realImages    folder of real images (PNG/JPEG, resized to the model) or an IDX file ({@code *idx3-ubyte[.gz]},
     *                      padded to the model), or null for generated images
     */
    public record Options(int batch, double lr, double truncationPsi, int iterations, LossWeights weights, long seed, String realImages) {
        public Options {
            if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
            if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0");
            if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1");
            if (weights == null) weights = LossWeights.defaults();
        }

        /** Batch 4, lr 1e-4, psi 1, 2 iterations, default weights, seed 0, generated images. */
        public static Options defaults() {
            return new Options(4, 1e-4, 1.0, 2, LossWeights.defaults(), 0, null);
        }

        public Options withBatch(int b) { return new Options(b, lr, truncationPsi, iterations, weights, seed, realImages); }
        public Options withLr(double l) { return new Options(batch, l, truncationPsi, iterations, weights, seed, realImages); }
        public Options withIterations(int i) { return new Options(batch, lr, truncationPsi, i, weights, seed, realImages); }
        public Options withWeights(LossWeights w) { return new Options(batch, lr, truncationPsi, iterations, w, seed, realImages); }
        public Options withSeed(long s) { return new Options(batch, lr, truncationPsi, iterations, weights, s, realImages); }
        public Options withTruncation(double p) { return new Options(batch, lr, p, iterations, weights, seed, realImages); }
        public Options withRealImages(Path dir) { return new Options(batch, lr, truncationPsi, iterations, weights, seed, dir == null ? null : dir.toString()); }
    }

    /** Loss values of one step (mean over its iterations), by term, plus {@code total}. */
    public record StepResult(long step, Map<String, Double> losses) {}

    private final Generator g;
    private final EncoderConfig config;
    private final Options options;
    private final EncoderGraph graph;
    private final io.stylegan2.core.optim.Adam adam = new io.stylegan2.core.optim.Adam(0.9, 0.999, 1e-8);
    private final INDArray avgImage;
    private final io.stylegan2.inversion.engine.RealImages real;
    private final AlternatingDiscriminator discriminator;
    private long step;

    public EncoderTrainer(Generator g, EncoderConfig config, Options options, Lpips lpips) throws IOException {
        this(g, config, options, lpips, null);
    }

    /**
     * @param d the model's discriminator, needed when {@code options.weights().adversarial() > 0}: a copy of it
     *          is trained alongside (PadInv's settings: logistic loss, R1 gamma 10 on every step, Adam lr
     *          {@code 1e-4 * 16/17}, betas {@code (0.9, 0.99)^(16/17)}); the model's own is not changed
     */
    public EncoderTrainer(Generator g, EncoderConfig config, Options options, Lpips lpips, Discriminator d) throws IOException {
        this(g, config, options, lpips, d, EncoderNetwork.init(config, options.seed()));
    }

    private EncoderTrainer(Generator g, EncoderConfig config, Options options, Lpips lpips, Discriminator d, Map<String, INDArray> params) throws IOException {
        config.requireCompatible(g.config());
        this.g = g;
        this.config = config;
        this.options = options;
        boolean adversarial = options.weights().adversarial() > 0;
        if (adversarial && d == null) throw new IllegalArgumentException("encoder training: the adversarial term needs the model's discriminator (the model file has none)");
        if (adversarial && (d.config().imgResolution() != config.resolution() || d.config().imgChannels() != config.imgChannels()))
            throw new IllegalArgumentException("encoder training: the discriminator takes " + d.config().imgChannels() + "x" + d.config().imgResolution()
                    + " images, the generator makes " + config.imgChannels() + "x" + config.resolution());
        this.graph = new EncoderGraph(config, params, g, options.weights(), lpips, adversarial ? d : null, options.batch());
        double ratio = 16.0 / 17;
        this.discriminator = adversarial ? new AlternatingDiscriminator(d, EncoderGraph.D_PREFIX, "encd/", new int[]{options.batch()},
                new AlternatingDiscriminator.Settings(1e-4 * ratio, Math.pow(0.9, ratio), Math.pow(0.99, ratio), 10.0, 1)) : null;
        this.avgImage = Encoder.averageImage(g, 1);
        this.real = options.realImages() == null ? null
                : io.stylegan2.inversion.engine.RealImages.open(Path.of(options.realImages()), config.imgChannels(), config.resolution());
    }

    public EncoderConfig config() { return config; }
    public Options options() { return options; }
    /** Steps taken so far. */
    public long step() { return step; }

    /** The encoder with the current parameters (a copy). */
    public Encoder encoder() {
        return new Encoder(config, graph.snapshot());
    }

    /**
     * Trains until {@link #step()} reaches {@code totalSteps}, writing a checkpoint into
     * {@code checkpointDir} every {@code checkpointEvery} steps (0 = never; {@code
     * checkpoint-<step>.safetensors}) and after the last step when {@code checkpointDir} is set.
     * The steps run in the shared {@link OptimisationLoop}.
     *
     * @return the result of the last step (null if no step ran)
     * @throws CancellationException when {@code cancel} is cancelled between steps (after saving a checkpoint if a folder is set)
     */
    public StepResult train(long totalSteps, Progress progress, CancellationToken cancel, int checkpointEvery, Path checkpointDir) throws IOException {
        if (totalSteps > Integer.MAX_VALUE) throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " steps, got " + totalSteps);
        OptimisationLoop.Builder loop = OptimisationLoop.custom((i, gradients) -> evaluate(), (grads, lr) -> update(grads, lr))
                .task("train-encoder").startAt((int) Math.min(step, totalSteps)).steps((int) totalSteps).schedule(Schedule.constant(options.lr()))
                .afterUpdate((i, e) -> {
                    if (checkpointDir != null && checkpointEvery > 0 && step % checkpointEvery == 0) saveCheckpointUnchecked(checkpointDir);
                    return null;
                })
                .onCancel(i -> {
                    if (checkpointDir != null) saveCheckpointUnchecked(checkpointDir);
                });
        OptimisationLoop.Result run;
        try {
            run = loop.run(progress, cancel);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (run.history().isEmpty()) return null;
        if (checkpointDir != null && (checkpointEvery <= 0 || step % checkpointEvery != 0)) saveCheckpoint(checkpointDir.resolve(checkpointName(step)));
        return new StepResult(step, run.history().get(run.history().size() - 1));
    }

    private void saveCheckpointUnchecked(Path dir) {
        try {
            saveCheckpoint(dir.resolve(checkpointName(step)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String checkpointName(long step) {
        return String.format(Locale.ROOT, "checkpoint-%06d.safetensors", step);
    }

    /** One training step outside a loop (see the class comment): the evaluation, then the Adam update. */
    public StepResult trainStep() throws IOException {
        OptimisationLoop.Evaluation e;
        try {
            e = evaluate();
        } catch (UncheckedIOException ex) {
            throw ex.getCause();
        }
        update(e.gradients(), options.lr());
        MemoryPolicy.step();
        return new StepResult(step, e.values());
    }

    /**
     * The step's batch (a pure function of {@code (seed, step)}), then {@link Options#iterations()}
     * ReStyle iterations from {@code (w_avg, G(w_avg))}, each a forward/backward with the previous
     * reconstruction and latent fed as data; the gradients are summed and divided by the number of
     * iterations, the losses averaged.
     */
    private OptimisationLoop.Evaluation evaluate() {
        SplittableRandom rnd = new SplittableRandom(mix(options.seed(), step));
        int n = options.batch();
        INDArray target, wtrue;
        if (real == null) {
            INDArray z = gaussian(rnd, n, g.config().zDim());
            wtrue = g.mapping(z, options.truncationPsi()).castTo(DataType.FLOAT);
            target = g.synthesis(wtrue, NoiseMode.CONST, 0).castTo(DataType.FLOAT);
        } else {
            wtrue = null;
            try {
                target = realBatch(rnd, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        INDArray wcur = Encoder.averageWs(g, n);
        INDArray recon = repeat(avgImage, n);
        Map<String, INDArray> sum = new HashMap<>();
        Map<String, Double> losses = new LinkedHashMap<>();
        List<String> outs = new ArrayList<>(List.of(graph.loss.outputNames()));
        outs.add(graph.ws);
        outs.add(graph.image);
        graph.batchStats.values().forEach(mv -> outs.addAll(List.of(mv)));
        int iters = options.iterations();
        for (int t = 0; t < iters; t++) {
            Map<String, INDArray> feed = graph.feed(target, recon, wcur);
            graph.addTrainingFeed(feed, wtrue);
            OutAndGrad r = graph.sd.calculateGradientsAndOutputs(feed, outs, graph.varNames);
            Map<String, INDArray> gr = r.getGradients();
            for (String v : graph.varNames) {
                INDArray gv = gr.get(v);
                if (gv == null) throw new IllegalStateException("no gradient for " + v);
                sum.merge(v.substring(EncoderGraph.PREFIX.length()), gv.dup(), INDArray::addi);
            }
            graph.loss.values(r.getOutputs()).forEach((k, v) -> losses.merge(k, v / iters, Double::sum));
            graph.updateStatistics(r.getOutputs(), n);
            wcur = r.getOutputs().get(graph.ws).dup();
            recon = r.getOutputs().get(graph.image).dup();
        }
        if (iters > 1) sum.values().forEach(a -> a.divi(iters));
        if (discriminator != null) {
            // one step of the discriminator copy on this batch (the encoder's gradients above used its previous weights)
            discriminator.step(List.of(target), List.of(recon)).forEach(losses::put);
            discriminator.copyInto(graph.sd);
        }
        return new OptimisationLoop.Evaluation(losses, Map.of(), sum);
    }

    private void update(Map<String, INDArray> grads, double lr) {
        adam.step(graph.params, grads, lr);
        step++;
        if (log.isDebugEnabled()) log.debug("encoder step {}", step);
    }

    // ------------------------------------------------------------------ checkpoints

    /** Writes parameters (with BatchNorm running statistics), Adam moments, step, config and options (atomically). */
    public void saveCheckpoint(Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Map<String, INDArray> t = new LinkedHashMap<>();
        graph.params.forEach((n, a) -> t.put("param/" + n, a));
        graph.statistics.forEach((n, a) -> t.put("param/" + n, a));
        adam.export().forEach((n, a) -> t.put("adam/" + n, a));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Encoder.META_FORMAT, CHECKPOINT_FORMAT);
        meta.put(Encoder.META_CONFIG, NativeModel.toJson(config));
        meta.put(META_OPTIONS, NativeModel.toJson(options));
        meta.put(META_STEP, Long.toString(step));
        meta.put(META_ADAM_T, Long.toString(adam.steps()));
        if (discriminator != null) {
            discriminator.state().forEach((n, a) -> t.put("disc/" + n, a));
            long[] k = discriminator.counters();
            meta.put(META_D_COUNTERS, k[0] + "," + k[1]);
        }
        AtomicFiles.write(file, out -> Safetensors.write(out, t, meta));
        log.info("encoder checkpoint at step {}: {}", step, file);
    }

    /** Options stored in a checkpoint. */
    public static Options checkpointOptions(Path checkpoint) throws IOException {
        Safetensors.Header h = Safetensors.readHeader(checkpoint);
        requireCheckpoint(checkpoint, h.metadata());
        return NativeModel.fromJson(h.metadata().get(META_OPTIONS), Options.class);
    }

    /** Resumes with the checkpoint's options. */
    public static EncoderTrainer resume(Generator g, Path checkpoint, Lpips lpips) throws IOException {
        return resume(g, checkpoint, null, lpips, null);
    }

    /** {@link #resume(Generator, Path, Options, Lpips, Discriminator)} without a discriminator. */
    public static EncoderTrainer resume(Generator g, Path checkpoint, Options options, Lpips lpips) throws IOException {
        return resume(g, checkpoint, options, lpips, null);
    }

    /**
     * Resumes from a checkpoint: parameters, Adam state and step are restored exactly; with
     * {@code options == null} the checkpoint's own options are used (other options change the
     * run from here on, e.g. a new learning rate).
     */
    public static EncoderTrainer resume(Generator g, Path checkpoint, Options options, Lpips lpips, Discriminator d) throws IOException {
        Safetensors.Contents c = Safetensors.read(checkpoint);
        requireCheckpoint(checkpoint, c.metadata());
        EncoderConfig cfg = NativeModel.fromJson(c.metadata().get(Encoder.META_CONFIG), EncoderConfig.class);
        Options opt = options != null ? options : NativeModel.fromJson(c.metadata().get(META_OPTIONS), Options.class);
        Map<String, INDArray> params = new LinkedHashMap<>(), moments = new HashMap<>(), disc = new LinkedHashMap<>();
        c.tensors().forEach((k, a) -> {
            if (k.startsWith("param/")) params.put(k.substring(6), a);
            else if (k.startsWith("adam/")) moments.put(k.substring(5), a);
            else if (k.startsWith("disc/")) disc.put(k.substring(5), a);
        });
        Map<String, INDArray> expected = EncoderNetwork.init(cfg, 0);
        if (!expected.keySet().equals(params.keySet())) throw new IOException(checkpoint + ": parameters do not match its encoder_config");
        EncoderTrainer tr = new EncoderTrainer(g, cfg, opt, lpips, d, params);
        tr.adam.restore(moments, Long.parseLong(c.metadata().get(META_ADAM_T)));
        if (tr.discriminator != null) {
            String k = c.metadata().get(META_D_COUNTERS);
            if (k == null || disc.isEmpty()) throw new IOException(checkpoint + ": the run has an adversarial term but the checkpoint has no discriminator state");
            String[] parts = k.split(",");
            tr.discriminator.restore(disc, new long[]{Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim())});
            tr.discriminator.copyInto(tr.graph.sd);
        }
        tr.step = Long.parseLong(c.metadata().get(META_STEP));
        return tr;
    }

    private static void requireCheckpoint(Path file, Map<String, String> meta) throws IOException {
        String f = meta.get(Encoder.META_FORMAT);
        if (!CHECKPOINT_FORMAT.equals(f)) throw new IOException(file + ": not an encoder checkpoint (format '" + f + "')");
        for (String k : new String[]{Encoder.META_CONFIG, META_OPTIONS, META_STEP, META_ADAM_T})
            if (meta.get(k) == null) throw new IOException(file + ": checkpoint lacks metadata '" + k + "'");
    }

    // ------------------------------------------------------------------ data

    static long mix(long seed, long step) {
        return io.stylegan2.core.Seeds.mix(seed, step);
    }

    static INDArray gaussian(SplittableRandom r, int n, int d) {
        return Nd4j.create(io.stylegan2.core.Seeds.gaussian(r, n * d), new long[]{n, d}, DataType.FLOAT);
    }

    private static INDArray repeat(INDArray one, int n) {
        return n == 1 ? one.dup('c') : Nd4j.concat(0, java.util.Collections.nCopies(n, one).toArray(new INDArray[0])).dup('c');
    }

    /** {@code n} real images drawn at random (with replacement) from the folder or IDX file. */
    private INDArray realBatch(SplittableRandom rnd, int n) throws IOException {
        INDArray[] imgs = new INDArray[n];
        for (int i = 0; i < n; i++) imgs[i] = real.get(rnd.nextInt(real.count()));
        return Nd4j.concat(0, imgs).dup('c');
    }

    /** For tests: the loss of the graph. */
    CompositeLoss loss() {
        return graph.loss;
    }
}
