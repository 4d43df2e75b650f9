package io.stylegan2.inversion.pti;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.StepMemory;
import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Locality;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOffsets;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Pivotal Tuning Inversion (Roich et al., TOG 2022), step 2: with the latent fixed at a pivot W+
 * (from any projector or encoder), tune every synthesis weight so that {@code G(pivot)} matches the
 * target:
 * <pre>
 *   loss = l2Weight * mse(G_theta+delta(w_p), x) + perceptualWeight * P(G_theta+delta(w_p), x) [+ locality]
 * </pre>
 * Adam on the offsets {@code delta} ({@link WeightOffsets}, zero at the start, so step 0 is the
 * original generator; the frozen weights are shared, never copied). Every synthesis parameter is
 * tuned (weights, biases, affine layers, noise strengths, the const input); the {@code noise_const}
 * buffers are not parameters in the official code and stay fixed, and the mapping network gets no
 * gradient (as in PTI). The run stops early once {@code P <= perceptualThreshold}, checked before
 * each update as PTI's {@code single_id_coach} does. The optional locality regulariser is
 * {@link Locality} with the same perceptual distance.
 *
 * <p>The perceptual distance is a {@code BiFunction (x, y) -> [N] or scalar} building into x's graph;
 * PTI uses LPIPS-AlexNet: {@link #lpips(Lpips, int)}.
 */
public final class PivotalTuning {
    private static final Logger log = LoggerFactory.getLogger(PivotalTuning.class);

    /** Term names in {@link PtiResult.Step#values()}. */
    public static final String L2 = "l2", PERCEPTUAL = "lpips", LOCALITY = "locality";

    /** The parameters PTI tunes: all synthesis parameters but the {@code noise_const} buffers. */
    public static final Predicate<String> TUNED = n -> n.startsWith("synthesis.") && !n.endsWith(".noise_const");

    private static final String WS = "pti/ws", TARGET = "pti/target", LOCALITY_ON = "pti/locality_on", IMAGE = "pti/image";

    private final PtiConfig config;
    private final BiFunction<SDVariable, SDVariable, SDVariable> perceptual;

    /**
     * @param config     settings ({@link PtiConfig#defaults()} for PTI's)
     * @param perceptual perceptual distance {@code (generated, target) -> [N] or scalar} built in the
     *                   generated image's graph (e.g. {@link #lpips(Lpips, int)}); inputs are in [-1, 1]
     */
    public PivotalTuning(PtiConfig config, BiFunction<SDVariable, SDVariable, SDVariable> perceptual) {
        if (config == null || perceptual == null) throw new IllegalArgumentException("PTI needs a config and a perceptual distance");
        this.config = config;
        this.perceptual = perceptual;
    }

    /** PTI's defaults with the given perceptual distance. */
    public static PivotalTuning withDefaults(BiFunction<SDVariable, SDVariable, SDVariable> perceptual) {
        return new PivotalTuning(PtiConfig.defaults(), perceptual);
    }

    /** LPIPS on {@code [N, 3, resolution, resolution]} images in [-1, 1] as a perceptual distance ({@code [N]}). */
    public static BiFunction<SDVariable, SDVariable, SDVariable> lpips(Lpips lpips, int resolution) {
        return (x, y) -> lpips.distance(x, y, resolution, resolution, false);
    }

    public PtiConfig config() {
        return config;
    }

    /** {@link #tune(Generator, INDArray, INDArray, Progress, BooleanSupplier)} without progress or cancellation. */
    public PtiResult tune(Generator g, INDArray pivot, INDArray target) {
        return tune(g, pivot, target, Progress.NONE, () -> false);
    }

    /**
     * Runs the tuning.
     *
     * @param g         the generator (left unchanged)
     * @param pivot     W+ {@code [1, num_ws, w_dim]} (or {@code [num_ws, w_dim]}; {@code [1, w_dim]} / {@code [w_dim]} is broadcast)
     * @param target    {@code [1, C, R, R]} in [-1, 1] at the generator's resolution
     * @param progress  receives {@code start("pti", maxSteps)}, one update per evaluation with the term values, {@code end()}
     * @param cancelled polled between steps; when it returns true the run ends with a {@link CancellationException}
     * @return the offsets, the reconstruction and the history
     */
    public PtiResult tune(Generator g, INDArray pivot, INDArray target, Progress progress, BooleanSupplier cancelled) {
        progress = Progress.orNone(progress);
        if (cancelled == null) cancelled = () -> false;
        GeneratorConfig cfg = g.config();
        DataType dt = g.params().dataType();
        INDArray ws = pivotWs(cfg, pivot).castTo(dt);
        int r = cfg.imgResolution();
        long[] ts = target.shape();
        if (!Arrays.equals(ts, new long[]{1, cfg.imgChannels(), r, r}))
            throw new IllegalArgumentException("PTI target: shape " + Arrays.toString(ts) + ", expected [1, " + cfg.imgChannels() + ", " + r + ", " + r + "]");

        long t0 = System.nanoTime();
        SameDiff sd = SameDiff.create();
        WeightOffsets offsets = new WeightOffsets(TUNED);
        ParamBinding binding = new ParamBinding(sd, g.params(), "", n -> false, offsets);
        SDVariable wsVar = sd.placeHolder(WS, dt, 1, cfg.numWs(), cfg.wDim());
        SDVariable img = g.synthesisNetwork().build(binding, wsVar, config.noiseMode(), SynthesisHooks.NONE, SynthesisNetwork.Start.FULL)
                .image().rename(IMAGE);
        SDVariable tgt = sd.constant(TARGET, target.castTo(dt).dup('c'));
        CompositeLoss.Builder lb = CompositeLoss.builder(sd)
                .add(L2, config.l2Weight(), Pixelwise.mse(img, tgt))
                .add(PERCEPTUAL, config.perceptualWeight(), perceptual.apply(img, tgt).mean());
        Locality locality = null;
        if (config.localityOn()) {
            locality = Locality.build(g, binding, config.locality(), config.locality().perceptualWeight() != 0 ? perceptual : null);
            SDVariable on = sd.placeHolder(LOCALITY_ON, dt);
            lb.add(LOCALITY, 1.0, locality.loss().mul(on));  // weights already inside; 0 on steps off the interval
        }
        CompositeLoss loss = lb.build();
        Map<String, SDVariable> deltas = offsets.deltas();
        if (deltas.isEmpty()) throw new IllegalStateException("PTI: no synthesis parameter was bound");
        List<String> deltaNames = new ArrayList<>();
        deltas.values().forEach(v -> deltaNames.add(v.name()));
        Adam adam = new Adam(sd, deltaNames, config.beta1(), config.beta2(), config.eps());
        List<String> outputs = new ArrayList<>(Arrays.asList(loss.outputNames()));
        long buildMs = (System.nanoTime() - t0) / 1_000_000;
        log.debug("PTI graph built in {} ms: {} offset tensors", buildMs, deltas.size());

        List<PtiResult.Step> history = new ArrayList<>();
        boolean stoppedEarly = false;
        int steps = 0;
        long t1 = System.nanoTime();
        StepMemory.Loop memory = new StepMemory.Loop(sd);
        progress.start("pti", config.maxSteps());
        try {
            while (true) {
                if (cancelled.getAsBoolean()) throw new CancellationException("PTI cancelled after " + steps + " steps");
                Map<String, INDArray> feed = feed(g, ws, locality, steps, dt);
                boolean last = steps >= config.maxSteps();
                Map<String, Double> values;
                Map<String, INDArray> grads = null;
                if (last) {
                    values = loss.values(sd.output(feed, outputs));
                } else {
                    OutAndGrad og = sd.calculateGradientsAndOutputs(feed, outputs, deltaNames);
                    values = loss.values(og.getOutputs());
                    grads = og.getGradients();
                }
                history.add(new PtiResult.Step(steps, values));
                progress.update(steps, values);
                double p = values.get(PERCEPTUAL);
                if (!Double.isFinite(values.get(CompositeLoss.TOTAL)))
                    throw new IllegalStateException("PTI: loss is not finite at step " + steps + ": " + values);
                if (config.perceptualThreshold() > 0 && p <= config.perceptualThreshold()) {
                    stoppedEarly = steps < config.maxSteps();
                    break;
                }
                if (last) break;
                adam.step(grads, config.learningRate());
                steps++;
                memory.stepDone();
                MemoryPolicy.step();
            }
        } finally {
            progress.end();
        }
        INDArray recon = sd.output(feed(g, ws, locality, steps, dt), IMAGE).get(IMAGE).dup();
        long tuneMs = (System.nanoTime() - t1) / 1_000_000;
        Map<String, INDArray> out = new LinkedHashMap<>();
        deltas.forEach((name, v) -> out.put(name, v.getArr().dup()));
        PtiResult.Timing timing = new PtiResult.Timing(buildMs, tuneMs, (double) tuneMs / history.size());
        log.debug("PTI: {} steps, stopped early {}, {} -> {}", steps, stoppedEarly, history.get(0).values(), history.get(history.size() - 1).values());
        return new PtiResult(java.util.Collections.unmodifiableMap(out), recon, List.copyOf(history), steps, stoppedEarly, timing);
    }

    private Map<String, INDArray> feed(Generator g, INDArray ws, Locality locality, int step, DataType dt) {
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(WS, ws);
        if (locality != null) {
            feed.putAll(locality.placeholders(g, ws, config.seed() + step));
            feed.put(LOCALITY_ON, Nd4j.scalar(dt, step % config.localityInterval() == 0 ? 1.0 : 0.0));
        }
        return feed;
    }

    /** The pivot as {@code [1, num_ws, w_dim]} (a single w is broadcast); a clear error for any other shape. */
    public static INDArray pivotWs(GeneratorConfig cfg, INDArray pivot) {
        int numWs = cfg.numWs(), wDim = cfg.wDim();
        if (pivot.length() == wDim) return pivot.reshape(1, 1, wDim).repeat(1, numWs).reshape(1, numWs, wDim).dup('c');
        if (pivot.length() == (long) numWs * wDim) return pivot.reshape(1, numWs, wDim).dup('c');
        throw new IllegalArgumentException("latent (pivot): shape " + Arrays.toString(pivot.shape()) + ", expected [1, " + numWs + ", " + wDim + "]");
    }
}
