package io.stylegan2.benchmarks;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.StepMemory;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOffsets;
import io.stylegan2.stylegan.WeightOverride;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The graph of one GAN-inversion step, batch 1, shared by {@link InversionStepBenchmark} and
 * {@link RssSoak}: synthesis forward (const noise) of a random generator
 * ({@link BenchmarkConfigs#forInversion(int)}), loss LPIPS-Alex (random weights) + MSE to a fixed
 * random target, backward, Adam (lr 0.01). Trainable: the W+ latent {@code ws}
 * ({@link #wplus(int)}) or offsets on every synthesis weight ({@link #pti(int)}).
 */
final class InversionGraph implements AutoCloseable {
    private final Generator g;
    private final SameDiff sd;
    private final Adam adam;
    private final String[] trainable;
    private final StepMemory.Loop memory;

    private InversionGraph(int resolution, boolean pti) {
        GeneratorConfig cfg = BenchmarkConfigs.forInversion(resolution);
        g = Generator.random(cfg, 0);
        Nd4j.getRandom().setSeed(0);
        INDArray z = Nd4j.randn(DataType.FLOAT, 1, cfg.zDim());
        Map<String, INDArray> lw = new LinkedHashMap<>();
        LpipsNet.ALEX.expectedShapes().forEach((k, s) -> lw.put(k, Nd4j.randn(DataType.FLOAT, s).muli(0.05)));
        Lpips lpips = Lpips.create(LpipsNet.ALEX, lw);

        sd = SameDiff.create();
        WeightOverride override = pti ? WeightOffsets.synthesis() : WeightOverride.NONE;
        ParamBinding p = new ParamBinding(sd, g.params(), "", n -> false, override);
        SDVariable ws = sd.var("ws", g.mapping(z, 1.0, -1));
        SDVariable img = g.synthesisNetwork().build(p, ws, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable target = sd.constant("target", Nd4j.rand(DataType.FLOAT, 1, 3, resolution, resolution).muli(2).subi(1));
        SDVariable loss = lpips.distance(img, target, resolution, resolution, false).sum()
                .add(Pixelwise.mse(img, target)).rename("loss");
        sd.setLossVariables(loss);
        List<String> names = new ArrayList<>();
        if (pti) for (SDVariable d : ((WeightOffsets) override).deltas().values()) names.add(d.name());
        else names.add("ws");
        trainable = names.toArray(new String[0]);
        adam = new Adam(sd, names);
        memory = new StepMemory.Loop(sd);
        step(); // the first step builds the gradient function
    }

    /** Trainable: the W+ latent {@code ws [1, num_ws, w_dim]}. */
    static InversionGraph wplus(int resolution) {
        return new InversionGraph(resolution, false);
    }

    /** Trainable: offsets on every synthesis weight (pivotal tuning). */
    static InversionGraph pti(int resolution) {
        return new InversionGraph(resolution, true);
    }

    /** One step: gradients, Adam update, {@link MemoryPolicy#step()}; returns the first gradient. */
    INDArray step() {
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), trainable);
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
