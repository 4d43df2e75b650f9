package io.stylegan2.inversion.sam;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.SampleOrder;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.optim.Objective;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Regresses the {@link InvertibilityNetwork}'s heads on the measured error maps of
 * {@link InvertibilityData}: loss MSE over all heads and pixels, Adam (0.9, 0.999) at a constant
 * rate, minibatches drawn without replacement from a per-epoch permutation fixed by the seed and
 * the epoch (so the batch of every step is known from the step alone). The paper trains DeepLab
 * with SGD (momentum 0.9, weight decay 5e-4, poly schedule, 100 epochs); Adam converges in far
 * fewer steps on this small network.
 *
 * <p>Checkpoints ({@value #CHECKPOINT_FORMAT}) hold the parameters, Adam's moments and step count,
 * the options and the step; {@link #resume} continues bit-exactly (tested).
 *
 * <p><b>Thread safety:</b> Not thread-safe: one trainer owns one graph; use it from one thread.
 */
public final class InvertibilityTrainer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InvertibilityTrainer.class);
    public static final String CHECKPOINT_FORMAT = "stylegan2-invertibility-checkpoint/1";

    /**
     * @param steps        total Adam steps
     * @param batch        images per step
     * @param learningRate Adam's rate
     * @param seed         seed of the batch order
     */
    public record Options(int steps, int batch, double learningRate, long seed) {
        public Options {
            if (steps < 1 || batch < 1) throw new IllegalArgumentException("invertibility training: steps and batch must be >= 1, got " + steps + ", " + batch);
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("invertibility training: learning rate must be > 0, got " + learningRate);
        }
    }

    /** @param history loss per step; @param seconds wall-clock time */
    public record Result(List<Map<String, Double>> history, int steps, double seconds) {}

    private final InvertibilityData data;
    private final Options options;
    private final InvertibilityNetwork.Config config;
    private final SameDiff sd = SameDiff.create();
    private final Map<String, SDVariable> params = new LinkedHashMap<>();
    private final Adam adam;
    private final CompositeLossHolder loss;
    private final SampleOrder order;
    private int step;

    private record CompositeLossHolder(Objective objective, String x, String y) {}

    private InvertibilityTrainer(InvertibilityNetwork init, InvertibilityData data, Options options) {
        this.config = init.config();
        if (!config.spaces().equals(data.spaces()))
            throw new IllegalArgumentException("invertibility training: the network has heads " + config.spaces() + ", the data maps " + data.spaces());
        if (data.images().size(1) != config.imageChannels())
            throw new IllegalArgumentException("invertibility training: the network takes " + config.imageChannels() + " channels, the data has " + data.images().size(1));
        this.data = data;
        this.options = options;
        this.order = new SampleOrder(data.size(), options.seed(), false);
        int b = Math.min(options.batch(), data.size());
        long c = data.images().size(1), h = data.images().size(2), w = data.images().size(3);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, b, c, h, w);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, b, config.spaces().size(), h, w);
        init.params().forEach((n, a) -> params.put(n, sd.var("p/" + n, a.dup('c'))));
        SDVariable pred = InvertibilityNetwork.build(config, x, (int) h, (int) w, params::get);
        SDVariable d = pred.sub(y);
        io.stylegan2.losses.CompositeLoss l = io.stylegan2.losses.CompositeLoss.builder(sd).add("mse", 1.0, d.mul(d).mean()).build();
        this.loss = new CompositeLossHolder(l, x.name(), y.name());
        this.adam = new Adam(sd, params.values().stream().map(SDVariable::name).toList(), 0.9, 0.999, 1e-8);
    }

    /** A new run from {@code init} (e.g. {@link InvertibilityNetwork#create}). */
    public static InvertibilityTrainer start(InvertibilityNetwork init, InvertibilityData data, Options options) {
        if (data.size() < 1) throw new IllegalArgumentException("invertibility training: no data");
        return new InvertibilityTrainer(init, data, options);
    }

    /** Steps done so far. */
    public int step() {
        return step;
    }

    public Options options() {
        return options;
    }

    /** The indices of the images of step {@code t}: consecutive slices of a per-epoch permutation ({@link SampleOrder}). */
    int[] batchIndices(int t) {
        int b = Math.min(options.batch(), data.size());
        int[] out = new int[b];
        for (int i = 0; i < b; i++) out[i] = order.item((long) t * b + i);
        return out;
    }

    private Map<String, INDArray> feed(int t) {
        int[] idx = batchIndices(t);
        INDArray x = Nd4j.pullRows(data.images().reshape(data.size(), -1), 1, idx).reshape(idx.length, data.images().size(1), data.images().size(2), data.images().size(3));
        INDArray y = Nd4j.pullRows(data.targets().reshape(data.size(), -1), 1, idx).reshape(idx.length, data.targets().size(1), data.targets().size(2), data.targets().size(3));
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(loss.x(), x);
        m.put(loss.y(), y);
        return m;
    }

    /**
     * Trains until step {@link Options#steps()}, writing {@code checkpoint-<step>.safetensors} into
     * {@code checkpointDir} every {@code checkpointEvery} steps (0: only at the end and on
     * cancellation) when a folder is given.
     */
    public Result train(Progress progress, CancellationToken cancel, int checkpointEvery, Path checkpointDir) throws IOException {
        if (checkpointDir != null) Files.createDirectories(checkpointDir);
        long t0 = System.nanoTime();
        List<Map<String, Double>> history = new ArrayList<>();
        if (step < options.steps()) {
            OptimisationLoop.Result r = OptimisationLoop.graph(sd, loss.objective(), adam).task("invertibility network").startAt(step).steps(options.steps())
                    .schedule(Schedule.constant(options.learningRate())).feed(this::feed)
                    .afterUpdate((t, e) -> {
                        step = t + 1;
                        if (checkpointDir != null && checkpointEvery > 0 && step % checkpointEvery == 0 && step < options.steps()) saveUnchecked(checkpointDir.resolve(checkpointName(step)));
                        return null;
                    })
                    .onCancel(t -> {
                        if (checkpointDir != null) saveUnchecked(checkpointDir.resolve(checkpointName(step)));
                    })
                    .run(progress, cancel);
            history.addAll(r.history());
        }
        if (checkpointDir != null) saveCheckpoint(checkpointDir.resolve(checkpointName(step)));
        return new Result(history, history.size(), (System.nanoTime() - t0) / 1e9);
    }

    public static String checkpointName(int step) {
        return String.format(Locale.ROOT, "checkpoint-%06d.safetensors", step);
    }

    private void saveUnchecked(Path file) {
        try {
            saveCheckpoint(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The network with the current parameters (copies). */
    public InvertibilityNetwork network() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        params.forEach((n, v) -> p.put(n, v.getArr().dup('c')));
        return new InvertibilityNetwork(config, p);
    }

    /** Writes parameters, Adam's state, options and step (atomically). */
    public void saveCheckpoint(Path file) throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        params.forEach((n, v) -> t.put("param/" + n, v.getArr()));
        adam.export().forEach((n, a) -> t.put("adam/" + n, a));
        Map<String, String> meta = InvertibilityNetwork.metadata(config);
        meta.put("checkpoint", CHECKPOINT_FORMAT);
        meta.put("step", Integer.toString(step));
        meta.put("adam_steps", Long.toString(adam.steps()));
        meta.put("options", io.stylegan2.stylegan.NativeModel.toJson(options));
        AtomicFiles.write(file, out -> Safetensors.write(out, t, meta));
        log.info("invertibility checkpoint at step {}: {}", step, file);
    }

    /** Continues from a checkpoint with its options (or {@code options}, e.g. more steps, when not null). */
    public static InvertibilityTrainer resume(Path checkpoint, InvertibilityData data, Options options) throws IOException {
        Safetensors.Contents c = Safetensors.read(checkpoint);
        Map<String, String> meta = c.metadata();
        if (!CHECKPOINT_FORMAT.equals(meta.get("checkpoint")))
            throw new IllegalArgumentException(checkpoint + ": not an invertibility checkpoint (expected " + CHECKPOINT_FORMAT + ")");
        InvertibilityNetwork net = InvertibilityNetwork.fromContents(checkpoint.toString(), c.tensors(), meta, "param/");
        Options o = options != null ? options : io.stylegan2.stylegan.NativeModel.fromJson(meta.get("options"), Options.class);
        InvertibilityTrainer t = new InvertibilityTrainer(net, data, o);
        Map<String, INDArray> moments = new LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("adam/")) moments.put(k.substring(5), v);
        });
        t.adam.restore(moments, Long.parseLong(meta.get("adam_steps")));
        t.step = Integer.parseInt(meta.get("step"));
        return t;
    }

    /** Mean squared error of a network's predictions on {@code data} (e.g. held-out images). */
    public static double mse(InvertibilityNetwork net, InvertibilityData data) {
        INDArray d = net.predict(data.images()).sub(data.targets());
        return d.muli(d).meanNumber().doubleValue();
    }

    /** Pearson correlation of the predicted and measured error maps over all pixels of all images, per space. */
    public static double[] correlation(InvertibilityNetwork net, InvertibilityData data) {
        INDArray p = net.predict(data.images());
        double[] out = new double[data.spaces().size()];
        for (int k = 0; k < out.length; k++)
            out[k] = io.stylegan2.inversion.editing.EditConsistency.correlation(
                    p.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(k)).castTo(DataType.DOUBLE).dup().reshape(-1),
                    data.targets().get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(k)).castTo(DataType.DOUBLE).dup().reshape(-1));
        return out;
    }

    /** Drops the graph's arrays (the trainer cannot be used afterwards). */
    @Override
    public void close() {
        params.clear();
    }
}
