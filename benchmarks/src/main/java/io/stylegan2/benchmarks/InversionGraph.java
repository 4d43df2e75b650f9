package io.stylegan2.benchmarks;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.StepMemory;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.inversion.pti.PivotalTuning;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The graph of one GAN-inversion step, batch 1, shared by {@link InversionStepBenchmark} and
 * {@link RssSoak}, built by the inversion engine's {@link MethodGraph} as the methods build theirs:
 * synthesis forward (const noise) of a random generator ({@link BenchmarkConfigs#forInversion(int)}),
 * loss LPIPS-Alex (random weights) + MSE to a fixed random target, backward, Adam (lr 0.01).
 * Trainable: the W+ latent ({@link #wplus(int)}) or PTI's offsets on the synthesis parameters with
 * the latent fed as a pivot ({@link #pti(int)}). One {@link #step()} is one step of the
 * {@code OptimisationLoop} without its bookkeeping.
 */
final class InversionGraph implements AutoCloseable {
    private final Generator g;
    private final SameDiff sd;
    private final Adam adam;
    private final String[] trainable;
    private final Map<String, INDArray> feed;
    private final StepMemory.Loop memory;

    private InversionGraph(int resolution, boolean pti) {
        GeneratorConfig cfg = BenchmarkConfigs.forInversion(resolution);
        g = Generator.random(cfg, 0);
        Nd4j.getRandom().setSeed(0);
        INDArray z = Nd4j.randn(DataType.FLOAT, 1, cfg.zDim());
        Map<String, INDArray> lw = new LinkedHashMap<>();
        LpipsNet.ALEX.expectedShapes().forEach((k, s) -> lw.put(k, Nd4j.randn(DataType.FLOAT, s).muli(0.05)));
        Lpips lpips = Lpips.create(LpipsNet.ALEX, lw);

        INDArray ws = g.mapping(z, 1.0);
        MethodGraph.Builder b = MethodGraph.builder(g).target(Nd4j.rand(DataType.FLOAT, 1, 3, resolution, resolution).muli(2).subi(1));
        if (pti) b.latentPlaceholder(1).tuneWeights(PivotalTuning.TUNED);
        else b.latentWPlus(ws);
        MethodGraph mg = b.build();
        mg.loss().add("lpips", 1.0, lpips.distance(mg.image(), mg.target(), resolution, resolution).sum())
                .add("mse", 1.0, Pixelwise.mse(mg.image(), mg.target())).build();
        sd = mg.sd();
        feed = pti ? mg.feedLatent(ws) : Map.of();
        trainable = mg.trainables().toArray(new String[0]);
        adam = mg.adam(0.9, 0.999, 1e-8);
        memory = new StepMemory.Loop(sd);
        step(); // the first step builds the gradient function
    }

    /** Trainable: the W+ latent {@code [1, num_ws, w_dim]}. */
    static InversionGraph wplus(int resolution) {
        return new InversionGraph(resolution, false);
    }

    /** Trainable: offsets on the synthesis parameters PTI tunes (pivotal tuning), the pivot fed. */
    static InversionGraph pti(int resolution) {
        return new InversionGraph(resolution, true);
    }

    /** One step: gradients, Adam update, {@link MemoryPolicy#step()}; returns the first gradient. */
    INDArray step() {
        Map<String, INDArray> grads = sd.calculateGradients(feed, trainable);
        adam.step(grads, 0.01);
        memory.stepDone();
        MemoryPolicy.step();
        return grads.get(trainable[0]);
    }

    /** The step's graph (for listeners such as {@link OpProfile}). */
    SameDiff graph() {
        return sd;
    }

    @Override
    public void close() {
        g.close();
    }
}
