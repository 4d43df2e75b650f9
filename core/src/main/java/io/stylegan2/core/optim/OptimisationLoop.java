package io.stylegan2.core.optim;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.FrameRecorder;
import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.StepMemory;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * The one optimisation loop of the project: every inversion method, the encoder trainer and the
 * generator-tuning methods run their steps through it. A method supplies its graph (or its own
 * evaluation), the learning-rate {@link Schedule}, the stopping rule and optional per-step
 * updaters (the alternating discriminator, noise re-normalisation, checkpoints); the loop does the
 * rest: progress, cancellation, the memory policy ({@link StepMemory} recycling of the graph's
 * working arrays and {@link MemoryPolicy#step()}), the finiteness check and the per-step history.
 *
 * <p>Step {@code i} (from {@link Builder#startAt} to {@link Builder#steps} - 1):
 * <ol>
 *   <li>cancellation check ({@link CancellationException} "{@code <task> cancelled after i steps}";
 *       {@link Builder#onCancel} runs first, e.g. to save a checkpoint);</li>
 *   <li>one evaluation with gradients: for a graph, one {@code calculateGradientsAndOutputs}, so the
 *       values reported are those of the step's gradient;</li>
 *   <li>every value must be finite, else {@link ArithmeticException} naming the value and the step;</li>
 *   <li>the {@link StopRule} may end the run here, before the update (PTI's perceptual threshold,
 *       a target MSE);</li>
 *   <li>the update with {@code schedule.at(i)}, then each {@link AfterUpdate} (their values join the
 *       step's history), and {@code lr} is recorded.</li>
 * </ol>
 * With {@link Builder#finalEvaluation(boolean)} a last evaluation without update follows the last
 * step (the history then has one entry more than updates), as PTI and near-perfect inversion report
 * the loss at the final weights.
 *
 * <p><b>Thread safety:</b> Not thread-safe: a {@link Builder} is mutable and {@link Builder#run} runs
 * every step and callback on the calling thread; the graph and {@link Adam} it uses must not be used
 * elsewhere meanwhile. {@link Evaluation} and {@link Result} are shallowly immutable (not copied).
 */
public final class OptimisationLoop {
    /** Name under which each step's learning rate is recorded. */
    public static final String LR = "lr";

    private OptimisationLoop() {}

    /**
     * One evaluation.
     *
     * @param values    named scalars ({@link Objective#values}); must include {@link Objective#TOTAL}
     * @param outputs   the run's outputs (graph variables asked for), valid until the next step
     * @param gradients gradients by variable name, or null for an evaluation without gradients
     */
    public record Evaluation(Map<String, Double> values, Map<String, INDArray> outputs, Map<String, INDArray> gradients) {}

    /** Evaluates step {@code step}, with gradients when asked. */
    @FunctionalInterface
    public interface Evaluator {
        Evaluation evaluate(int step, boolean gradients);
    }

    /** Applies the step's gradients with its learning rate. */
    @FunctionalInterface
    public interface Updater {
        void update(Map<String, INDArray> gradients, double lr);
    }

    /** Runs after each update with the evaluation that made it; may return values for the history (or null). */
    @FunctionalInterface
    public interface AfterUpdate {
        Map<String, Double> after(int step, Evaluation evaluation);
    }

    /** Decides, before the update of a step, that the run has reached its goal. */
    @FunctionalInterface
    public interface StopRule {
        StopRule NEVER = (step, values) -> false;

        boolean reached(int step, Map<String, Double> values);

        /** Stops once {@code values[term] <= threshold}; never when {@code threshold <= 0}. */
        static StopRule atMost(String term, double threshold) {
            if (threshold <= 0) return NEVER;
            return (step, values) -> {
                Double v = values.get(term);
                if (v == null) throw new IllegalStateException("stop rule: no value '" + term + "' (have " + values.keySet() + ")");
                return v <= threshold;
            };
        }
    }

    /**
     * The outcome of a run.
     *
     * @param history      one map per evaluation: the values, then those of the after-update actions, then {@link #LR}
     * @param steps        updates made in this run
     * @param stoppedEarly the {@link StopRule} ended the run
     * @param last         the final evaluation (with {@link Builder#finalEvaluation} or after a stop; outputs
     *                     copied, no gradients), else null
     * @param seconds      wall-clock time of the loop
     */
    public record Result(List<Map<String, Double>> history, int steps, boolean stoppedEarly, Evaluation last, double seconds) {
        public Result {
            history = Collections.unmodifiableList(history);
        }

        /** Milliseconds per evaluation. */
        public double msPerEvaluation() {
            return history.isEmpty() ? 0 : 1000 * seconds / history.size();
        }

        /** The value of {@code term} at the last evaluation (NaN when absent). */
        public double lastValue(String term) {
            Double v = history.isEmpty() ? null : history.get(history.size() - 1).get(term);
            return v == null ? Double.NaN : v;
        }
    }

    /**
     * A loop over a SameDiff graph: each step is one {@code calculateGradientsAndOutputs} of the
     * objective's outputs (plus {@link Builder#outputs}) for the optimiser's variables, fed by
     * {@link Builder#feed}; the update is {@code adam.step(gradients, lr)}.
     */
    public static Builder graph(SameDiff sd, Objective objective, Adam adam) {
        return new Builder(Objects.requireNonNull(sd, "sd"), Objects.requireNonNull(objective, "objective"), Objects.requireNonNull(adam, "adam"));
    }

    /** A loop whose evaluation and update are the caller's (e.g. gradients summed over several passes). */
    public static Builder custom(Evaluator evaluator, Updater updater) {
        Builder b = new Builder(null, null, null);
        b.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        b.updater = Objects.requireNonNull(updater, "updater");
        return b;
    }

    /** Settings of one run; {@link #run} may be called once. */
    public static final class Builder {
        private final SameDiff sd;
        private final Objective objective;
        private final Adam adam;
        private Evaluator evaluator;
        private Updater updater;
        private String task = "optimisation";
        private int steps = -1, startAt;
        private Schedule schedule;
        private StopRule stop = StopRule.NEVER;
        private boolean finalEvaluation;
        private IntFunction<Map<String, INDArray>> feed = i -> Map.of();
        private final List<String> extraOutputs = new ArrayList<>();
        private final List<AfterUpdate> after = new ArrayList<>();
        private IntConsumer onCancel;
        private String frameOutput;

        private Builder(SameDiff sd, Objective objective, Adam adam) {
            this.sd = sd;
            this.objective = objective;
            this.adam = adam;
        }

        /** Name used in progress, errors and logs. */
        public Builder task(String task) {
            this.task = Objects.requireNonNull(task, "task");
            return this;
        }

        /** Steps (updates) of the whole run, counted from 0 ({@code >= 0}). */
        public Builder steps(int steps) {
            if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            this.steps = steps;
            return this;
        }

        /** First step of this run (a resumed run), default 0. */
        public Builder startAt(int step) {
            if (step < 0) throw new IllegalArgumentException("start step must be >= 0, got " + step);
            this.startAt = step;
            return this;
        }

        public Builder schedule(Schedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        public Builder stopWhen(StopRule rule) {
            this.stop = Objects.requireNonNull(rule, "stop rule");
            return this;
        }

        /** Evaluate once more, without update, after the last step. */
        public Builder finalEvaluation(boolean on) {
            this.finalEvaluation = on;
            return this;
        }

        /** Placeholders of step {@code i} (graph loops). */
        public Builder feed(IntFunction<Map<String, INDArray>> feed) {
            requireGraph("feed");
            this.feed = Objects.requireNonNull(feed, "feed");
            return this;
        }

        /** More graph outputs to compute each step (e.g. the image, for an after-update action). */
        public Builder outputs(String... names) {
            requireGraph("outputs");
            extraOutputs.addAll(Arrays.asList(names));
            return this;
        }

        /**
         * The graph output that is the current image: when {@link #run} gets a {@link FrameRecorder},
         * it is computed with each evaluation and handed to {@link FrameRecorder#frame} every
         * {@link FrameRecorder#frameEvery()} steps (and at a final evaluation). Other progress
         * callbacks cost nothing.
         */
        public Builder frames(String output) {
            requireGraph("frames");
            this.frameOutput = Objects.requireNonNull(output, "output");
            return this;
        }

        /** An action after each update, in the order added. */
        public Builder afterUpdate(AfterUpdate action) {
            after.add(Objects.requireNonNull(action, "action"));
            return this;
        }

        /** Runs with the current step before a cancellation is thrown. */
        public Builder onCancel(IntConsumer action) {
            this.onCancel = action;
            return this;
        }

        private void requireGraph(String what) {
            if (sd == null) throw new IllegalStateException(what + ": only for graph loops");
        }

        /** Runs the loop. */
        public Result run(Progress progress, CancellationToken cancel) {
            if (steps < 0) throw new IllegalStateException(task + ": steps not set");
            if (schedule == null) throw new IllegalStateException(task + ": no learning-rate schedule");
            Progress p = Progress.orNone(progress);
            CancellationToken c = CancellationToken.orNone(cancel);
            StepMemory.Loop memory = sd == null ? null : new StepMemory.Loop(sd);
            FrameRecorder frames = frameOutput != null && p instanceof FrameRecorder r ? r : null;
            if (frames != null && frames.frameEvery() < 1)
                throw new IllegalArgumentException(task + ": frameEvery() must be >= 1, got " + frames.frameEvery());
            Evaluator eval = sd == null ? evaluator : graphEvaluator(frames != null);
            Updater upd = sd == null ? updater : adam::step;
            List<Map<String, Double>> history = new ArrayList<>();
            Evaluation last = null;
            boolean stopped = false;
            int step = startAt;
            long t0 = System.nanoTime();
            p.start(task, steps);
            try {
                if (startAt > 0) p.update(Math.min(startAt, steps));
                while (true) {
                    if (c.isCancelled()) {
                        if (onCancel != null) onCancel.accept(step);
                        throw new CancellationException(task + " cancelled after " + step + " steps");
                    }
                    boolean end = step >= steps;
                    if (end && !finalEvaluation) break;
                    Evaluation e = eval.evaluate(step, !end);
                    Map<String, Double> values = new LinkedHashMap<>(e.values());
                    checkFinite(values, step);
                    if (frames != null && (end || step % frames.frameEvery() == 0)) {
                        INDArray image = e.outputs().get(frameOutput);
                        if (image != null) frames.frame(task, step, image);
                    }
                    stopped = !end && stop.reached(step, values);
                    if (!end && !stopped) {
                        double rate = schedule.at(step);
                        upd.update(e.gradients(), rate);
                        for (AfterUpdate a : after) {
                            Map<String, Double> more = a.after(step, e);
                            if (more != null) {
                                checkFinite(more, step);
                                values.putAll(more);
                            }
                        }
                        values.put(LR, rate);
                    }
                    history.add(values);
                    if (end || stopped) {
                        last = new Evaluation(values, copy(e.outputs()), null);
                        p.update(step, values);
                        break;
                    }
                    step++;
                    p.update(step, values);
                    if (memory != null) memory.stepDone();
                    MemoryPolicy.step();
                }
            } finally {
                p.end();
            }
            return new Result(history, step - startAt, stopped, last, (System.nanoTime() - t0) / 1e9);
        }

        private Evaluator graphEvaluator(boolean withFrames) {
            List<String> outs = new ArrayList<>(Arrays.asList(objective.outputNames()));
            outs.addAll(extraOutputs);
            if (withFrames && !outs.contains(frameOutput)) outs.add(frameOutput);
            List<String> vars = Arrays.asList(adam.names());
            return (step, gradients) -> {
                Map<String, INDArray> ph = feed.apply(step);
                if (gradients) {
                    OutAndGrad og = sd.calculateGradientsAndOutputs(ph, outs, vars);
                    return new Evaluation(objective.values(og.getOutputs()), og.getOutputs(), og.getGradients());
                }
                Map<String, INDArray> out = sd.output(ph, outs.toArray(new String[0]));
                return new Evaluation(objective.values(out), out, null);
            };
        }

        private void checkFinite(Map<String, Double> values, int step) {
            for (Map.Entry<String, Double> v : values.entrySet())
                if (v.getValue() == null || !Double.isFinite(v.getValue()))
                    throw new ArithmeticException(task + ": " + v.getKey() + " is " + v.getValue() + " at step " + step + " (lower the learning rate?)");
        }

        private static Map<String, INDArray> copy(Map<String, INDArray> outputs) {
            Map<String, INDArray> m = new LinkedHashMap<>();
            if (outputs != null) outputs.forEach((k, v) -> m.put(k, v == null ? null : v.dup()));
            return Collections.unmodifiableMap(m);
        }
    }
}
