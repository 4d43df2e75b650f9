package io.stylegan2.training;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.training.data.BatchLoader;
import io.stylegan2.training.data.ImageDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * StyleGAN2 training (NVlabs stylegan2-ada-pytorch's recipe, without ADA): each iteration runs the
 * phases Gmain, Greg (lazy path length, every {@code gRegInterval}), Dmain and Dreg (lazy R1, every
 * {@code dRegInterval}) in that order, each followed by its network's Adam step (betas and learning
 * rate corrected for lazy regularisation), then updates G_ema and counts {@code batch} images.
 *
 * <p>The iterations run in the shared {@link OptimisationLoop}: Gmain is the loop's evaluation and
 * update; the other phases, G_ema, ticks and snapshots are its after-update actions. Every random
 * number of iteration {@code i} (latents, style-mixing crossover, noise maps, the real batch and its
 * flips) is a function of {@code (seed, i)}, and a {@link TrainingState} holds everything else, so a
 * run resumed from a snapshot is bit-identical to an uninterrupted one.
 *
 * <p>Greg is NVlabs' path-length regularisation ({@code plWeight > 0}): SameDiff M2.1 builds no
 * second-order gradients, so the W+ gradient of the synthesis network is a hand-written graph
 * ({@link io.stylegan2.losses.PathLengthPenalty}); its running mean {@code pl_mean} is part of the
 * {@link TrainingState}. {@code metrics.jsonl} reports {@code pl_penalty} and {@code pl_mean}.
 *
 * <p>Not implemented: ADA augmentation, conditional models ({@code c_dim > 0}), mixed precision.
 *
 * <p><b>Thread safety:</b> Not thread-safe: use one instance per run, from one thread ({@link #train}
 * prepares batches on a background thread it owns). Cancel from another thread through the
 * {@link io.stylegan2.core.CancellationToken}; counters read from another thread may be stale.
 */
public final class Trainer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final TrainingOptions options;
    private final Networks nets;
    private final PhaseGraphs graphs;
    private final ImageDataset data;
    private final TrainingState state;
    private final Adam gAdam, dAdam;
    private final Map<String, INDArray> gParams = new LinkedHashMap<>(), dParams = new LinkedHashMap<>();
    private final RunFolder run;

    private Trainer(TrainingOptions options, Networks nets, ImageDataset data, TrainingState state, RunFolder run) {
        if (data.resolution() != nets.gCfg.imgResolution() || data.channels() != nets.gCfg.imgChannels())
            throw new IllegalArgumentException("training data is " + data.channels() + "x" + data.resolution() + ", the model makes "
                    + nets.gCfg.imgChannels() + "x" + nets.gCfg.imgResolution());
        this.options = options;
        this.nets = nets;
        this.data = data;
        this.state = state;
        this.run = run;
        this.graphs = new PhaseGraphs(nets, options.batch(), options.noiseMode(), options.r1Gamma(), options.dRegInterval(), PhaseGraphs.PathLength.of(options));
        double gr = TrainingOptions.lazyRatio(options.gRegInterval()), dr = TrainingOptions.lazyRatio(options.dRegInterval());
        this.gAdam = new Adam(Math.pow(options.beta1(), gr), Math.pow(options.beta2(), gr), options.eps());
        this.dAdam = new Adam(Math.pow(options.beta1(), dr), Math.pow(options.beta2(), dr), options.eps());
        for (String n : graphs.gVars) gParams.put(n, nets.g.get(n.substring(PhaseGraphs.G_PREFIX.length())));
        for (String n : graphs.dVars) dParams.put(n, nets.d.get(n.substring(PhaseGraphs.D_PREFIX.length())));
        state.restoreOptimisers(gAdam, dAdam);
    }

    /** A fresh run: NVlabs initialisation of G and D from the options' seed. */
    public static Trainer create(GeneratorConfig g, DiscriminatorConfig d, TrainingOptions options, ImageDataset data, Path runDir) throws IOException {
        return new Trainer(options, Networks.random(g, d, options.seed()), data, TrainingState.fresh(), RunFolder.create(runDir, options));
    }

    /**
     * Fine-tuning: G, D (and G_ema, or a copy of G) from a model, e.g. a converted checkpoint; the
     * counters and optimisers start fresh.
     */
    public static Trainer fineTune(NativeModel g, NativeModel gEma, TrainingOptions options, ImageDataset data, Path runDir) throws IOException {
        if (!g.hasDiscriminator()) throw new IllegalArgumentException("fine-tuning needs the model's discriminator; the model file has none");
        Networks nets = Networks.fromCanonical(g.generatorConfig(), g.discriminatorConfig(), g.generator(), g.discriminator(),
                gEma == null ? null : gEma.generator());
        return new Trainer(options, nets, data, TrainingState.fresh(), RunFolder.create(runDir, options));
    }

    /** Resumes exactly from a training-state snapshot ({@link TrainingState#read}); the options are the snapshot's unless given. */
    public static Trainer resume(Path snapshot, TrainingOptions options, ImageDataset data, Path runDir) throws IOException {
        TrainingState.Loaded l = TrainingState.read(snapshot);
        TrainingOptions o = options != null ? options : l.options();
        return new Trainer(o, l.networks(), data, l.state(), RunFolder.create(runDir, o));
    }

    Networks networksForTest() {
        return nets;
    }

    public TrainingOptions options() {
        return options;
    }

    /** Iterations done. */
    public int iteration() {
        return state.iteration;
    }

    /** Real images shown so far. */
    public long imagesShown() {
        return state.curNimg;
    }

    /** G_ema and D as a native model (the current trained generator). */
    public NativeModel model() {
        return nets.model(Map.of("source", "stylegan2-jvm training, " + state.curNimg / 1000.0 + " kimg"));
    }

    /**
     * Trains until {@code totalKimg} of the options, snapshotting into the run folder every
     * {@code snapshotTicks} ticks, at the end, and when cancelled.
     *
     * @return the loop's per-iteration history of this call
     */
    public OptimisationLoop.Result train(Progress progress, CancellationToken cancel) throws IOException {
        return train(Integer.MAX_VALUE, progress, cancel);
    }

    /**
     * Runs at most {@code maxIterations} more iterations (never past {@code totalKimg}), with the
     * ticks, grids and snapshots of the schedule (and a snapshot when cancelled); stopping early writes
     * no extra snapshot: call {@link #snapshot()}. For callers that interleave their own work
     * (benchmarks, notebooks).
     */
    public OptimisationLoop.Result train(int maxIterations, Progress progress, CancellationToken cancel) throws IOException {
        if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        int total = (int) Math.min(options.iterations(), (long) state.iteration + maxIterations);
        if (state.iteration == 0) run.writeGrids(nets, "init", data);
        try (BatchLoader loader = new BatchLoader(data, options.batch(), options.xflip(), options.seed(), state.iteration)) {
            Ticks ticks = new Ticks();
            OptimisationLoop.Result r = OptimisationLoop.custom((i, grads) -> gMain(i, loader), this::updateG)
                    .task("train").startAt(Math.min(state.iteration, total)).steps(total)
                    .schedule(Schedule.constant(options.gLr() * TrainingOptions.lazyRatio(options.gRegInterval())))
                    .afterUpdate((i, e) -> {
                        Map<String, Double> v = laterPhases(i);
                        Map<String, Double> all = new LinkedHashMap<>(e.values());
                        all.putAll(v);
                        ticks.after(i, all);
                        return v;
                    })
                    .onCancel(i -> snapshotUnchecked())
                    .run(progress, cancel);
            return r;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    // ------------------------------------------------------------------ one iteration

    /** Per-phase random streams of iteration {@code i}. */
    private SplittableRandom random(int i, int phase) {
        return new SplittableRandom(Seeds.mix(options.seed() * 31 + phase, i));
    }

    private INDArray real;
    private INDArray gW;

    /** Gmain: the generator loss on fresh latents. */
    private OptimisationLoop.Evaluation gMain(int i, BatchLoader loader) {
        try {
            real = loader.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while waiting for a batch");
        }
        PhaseGraphs.Phase p = graphs.gMain(gFeed(random(i, 0), options.batch()));
        gW = p.a();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("G_loss", p.loss());
        v.put("scores_fake", p.b().meanNumber().doubleValue());
        return new OptimisationLoop.Evaluation(v, Map.of(), p.gradients());
    }

    private void updateG(Map<String, INDArray> grads, double lr) {
        gAdam.step(gParams, sanitize(grads), lr);
    }

    /** Greg (path length) when due, Dmain and Dreg when due, each with its optimiser step, then w_avg, G_ema and the counters. */
    private Map<String, Double> laterPhases(int i) {
        Map<String, Double> v = new LinkedHashMap<>();
        double gLr = options.gLr() * TrainingOptions.lazyRatio(options.gRegInterval());
        double dLr = options.dLr() * TrainingOptions.lazyRatio(options.dRegInterval());
        INDArray plW = null;
        if (graphs.plGraph != null && i % options.gRegInterval() == 0) {
            PhaseGraphs.PathLengthPhase pl = graphs.gPl(plFeed(random(i, 1)));
            gAdam.step(gParams, sanitize(withZeros(pl.gradients(), gParams)), gLr);
            state.plMean = pl.mean();
            plW = pl.w();
            v.put("pl_penalty", pl.penalty());
            v.put("pl_mean", (double) pl.mean());
        }
        INDArray[] fake = graphs.fakes(gFeed(random(i, 2), options.batch()));
        PhaseGraphs.Phase d = graphs.dMain(real, fake[0]);
        dAdam.step(dParams, sanitize(d.gradients()), dLr);
        v.put("D_loss", d.loss());
        v.put("scores_real", d.a().meanNumber().doubleValue());
        if (graphs.rGraph != null && i % options.dRegInterval() == 0) {
            PhaseGraphs.Phase r = graphs.dReg(real);
            dAdam.step(dParams, sanitize(withZeros(r.gradients(), dParams)), dLr);
            v.put("r1_penalty", r.loss());
        }
        // w_avg follows every main mapping call, in NVlabs' phase order
        nets.trackWAvg(gW, options.wAvgBeta());
        if (plW != null) nets.trackWAvg(plW, options.wAvgBeta());
        nets.trackWAvg(fake[1], options.wAvgBeta());
        double emaNimg = options.emaKimg() * 1000;
        if (options.emaRampup() > 0) emaNimg = Math.min(emaNimg, state.curNimg * options.emaRampup());
        nets.updateEma(Math.pow(0.5, options.batch() / Math.max(emaNimg, 1e-8)));
        state.curNimg += options.batch();
        state.iteration = i + 1;
        state.gSteps = gAdam.steps();
        state.dSteps = dAdam.steps();
        v.put("kimg", state.curNimg / 1000.0);
        return v;
    }

    /**
     * A regulariser's gradients with zeros for the parameters it does not reach (R1: those after D's last
     * nonlinearity; path length: the ToRGB biases), as NVlabs' {@code logits * 0} / {@code img * 0} terms give
     * them, so that Adam's moments still decay.
     */
    private static Map<String, INDArray> withZeros(Map<String, INDArray> grads, Map<String, INDArray> params) {
        Map<String, INDArray> g = new LinkedHashMap<>(grads);
        params.forEach((n, a) -> g.computeIfAbsent(n, k -> Nd4j.zeros(a.dataType(), a.shape())));
        return g;
    }

    /** Latents, style-mixing mask and noise maps for {@code b} images, drawn in this order from {@code r}. */
    private record Latents(INDArray z, INDArray z2, INDArray mix, Map<String, INDArray> noise) {}

    private Latents latents(SplittableRandom r, int b) {
        GeneratorConfig c = nets.gCfg;
        INDArray z = Nd4j.create(Seeds.gaussian(r, b * c.zDim()), new long[]{b, c.zDim()}, DataType.FLOAT);
        INDArray z2 = Nd4j.create(Seeds.gaussian(r, b * c.zDim()), new long[]{b, c.zDim()}, DataType.FLOAT);
        int cutoff = c.numWs();
        double u = r.nextDouble();
        int candidate = 1 + r.nextInt(c.numWs() - 1);
        if (u < options.styleMixingProb()) cutoff = candidate;
        Map<String, INDArray> noise = new LinkedHashMap<>();
        for (String l : nets.synthesis.convLayers()) {
            int res = SynthesisNetwork.resolutionOf(l);
            noise.put(l, Nd4j.create(Seeds.gaussian(r, b * res * res), new long[]{b, 1, res, res}, DataType.FLOAT));
        }
        return new Latents(z, z2, PhaseGraphs.mixMask(c.numWs(), cutoff), noise);
    }

    /** The G graph's feed for {@code b} images: latents, style-mixing mask, noise maps. */
    private Map<String, INDArray> gFeed(SplittableRandom r, int b) {
        Latents l = latents(r, b);
        return graphs.gFeed(l.z(), l.z2(), l.mix(), l.noise());
    }

    /** The Gpl graph's feed: latents, mask and noise maps for its batch, then the image-space noise, and the running mean. */
    private Map<String, INDArray> plFeed(SplittableRandom r) {
        int b = graphs.pl.batch(), ch = nets.gCfg.imgChannels(), res = nets.gCfg.imgResolution();
        Latents l = latents(r, b);
        INDArray plNoise = Nd4j.create(Seeds.gaussian(r, b * ch * res * res), new long[]{b, ch, res, res}, DataType.FLOAT);
        return graphs.plFeed(l.z(), l.z2(), l.mix(), l.noise(), plNoise, state.plMean);
    }

    /** NVlabs {@code nan_to_num(grad, nan=0, posinf=1e5, neginf=-1e5)}. */
    private static Map<String, INDArray> sanitize(Map<String, INDArray> grads) {
        for (INDArray g : grads.values()) {
            BooleanIndexing.replaceWhere(g, 0.0, Conditions.isNan());
            Transforms.min(g, 1e5, false);
            Transforms.max(g, -1e5, false);
        }
        return grads;
    }

    // ------------------------------------------------------------------ ticks and snapshots

    /** Tick bookkeeping: averages of the tick, metrics.jsonl, grids, snapshots. */
    private final class Ticks {
        private final Map<String, double[]> sums = new LinkedHashMap<>();
        private long tickStart = System.nanoTime();
        private long tickNimg = state.curNimg;

        void after(int i, Map<String, Double> values) {
            values.forEach((k, x) -> sums.computeIfAbsent(k, q -> new double[2])[0] += x);
            values.forEach((k, x) -> sums.get(k)[1]++);
            boolean last = i + 1 >= options.iterations();
            if ((i + 1) % options.iterationsPerTick() != 0 && !last) return;
            state.tick++;
            double secs = (System.nanoTime() - tickStart) / 1e9;
            Map<String, Double> line = new LinkedHashMap<>();
            line.put("tick", (double) state.tick);
            line.put("kimg", state.curNimg / 1000.0);
            sums.forEach((k, s) -> { if (!k.equals("kimg") && !k.equals("lr")) line.put(k, s[0] / s[1]); });
            line.put("sec_per_tick", secs);
            line.put("kimg_per_sec", (state.curNimg - tickNimg) / 1000.0 / Math.max(secs, 1e-9));
            try {
                run.appendMetrics(line);
                if (last || (options.imageTicks() > 0 && state.tick % options.imageTicks() == 0)) run.writeGrids(nets, String.format("%06d", state.curNimg / 1000), data);
                if (last || (options.snapshotTicks() > 0 && state.tick % options.snapshotTicks() == 0)) {
                    snapshot();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log.info("tick {} kimg {} G {} D {} {} kimg/s", state.tick, String.format("%.1f", state.curNimg / 1000.0),
                    fmt(line.get("G_loss")), fmt(line.get("D_loss")), fmt(line.get("kimg_per_sec")));
            sums.clear();
            tickStart = System.nanoTime();
            tickNimg = state.curNimg;
        }
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", d);
    }

    /** Writes the network snapshot and the training state (both atomically). */
    public void snapshot() throws IOException {
        run.snapshot(nets, state, options, gAdam, dAdam);
    }

    private void snapshotUnchecked() {
        try {
            snapshot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        // graphs hold only heap references to the live arrays; nothing native to release in M2.1
    }
}
