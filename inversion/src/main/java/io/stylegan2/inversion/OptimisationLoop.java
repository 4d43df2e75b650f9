package io.stylegan2.inversion;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.StepMemory;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.losses.CompositeLoss;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;

/**
 * The shared optimisation loop of latent-optimisation methods: per step, one forward + backward
 * ({@code calculateGradientsAndOutputs}, so the reported losses are those of the step's gradient),
 * an {@link Adam} update with the step's learning rate, an optional post-step action (e.g. noise
 * re-normalisation), progress and cancellation checks, {@link StepMemory} recycling of the graph's
 * working arrays and {@link MemoryPolicy#step()}.
 */
public final class OptimisationLoop {
    private OptimisationLoop() {}

    /** Called after each update with the step index. */
    @FunctionalInterface
    public interface AfterStep {
        void accept(int step);
    }

    /**
     * Runs {@code steps} steps and returns the per-step history (loss terms, {@code total}, {@code lr}).
     *
     * @param feed  placeholders of step {@code i} (may be empty, never null)
     * @param lr    learning rate of step {@code i}
     * @param after action after each update, or null
     */
    public static List<Map<String, Double>> run(SameDiff sd, CompositeLoss loss, Adam adam, int steps,
                                                IntFunction<Map<String, INDArray>> feed, IntToDoubleFunction lr,
                                                AfterStep after, String task, Progress progress, CancellationToken cancel) {
        Progress p = Progress.orNone(progress);
        CancellationToken c = CancellationToken.orNone(cancel);
        List<Map<String, Double>> history = new ArrayList<>(steps);
        List<String> outputs = Arrays.asList(loss.outputNames());
        List<String> vars = Arrays.asList(adam.names());
        StepMemory.Loop memory = new StepMemory.Loop(sd);
        p.start(task, steps);
        for (int i = 0; i < steps; i++) {
            c.throwIfCancelled();
            OutAndGrad og = sd.calculateGradientsAndOutputs(feed.apply(i), outputs, vars);
            Map<String, Double> values = new LinkedHashMap<>(loss.values(og.getOutputs()));
            double rate = lr.applyAsDouble(i);
            if (!Double.isFinite(values.get(CompositeLoss.TOTAL)))
                throw new ArithmeticException(task + ": loss is " + values.get(CompositeLoss.TOTAL) + " at step " + i);
            adam.step(og.getGradients(), rate);
            if (after != null) after.accept(i);
            values.put("lr", rate);
            history.add(values);
            p.update(i + 1, values);
            memory.stepDone();
            MemoryPolicy.step();
        }
        p.end();
        return history;
    }
}
