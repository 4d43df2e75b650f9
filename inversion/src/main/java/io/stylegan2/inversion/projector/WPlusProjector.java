package io.stylegan2.inversion.projector;

import io.stylegan2.core.Progress;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.inversion.CancellationToken;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.OptimisationLoop;
import io.stylegan2.inversion.PerceptualLoss;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.Timing;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Image2StyleGAN-style projection into W+: all {@code num_ws} rows start at {@code w_avg} and are
 * optimised independently with Adam; loss = {@code mseWeight * MSE + perceptualWeight * perceptual}
 * (the perceptual term only when a {@link PerceptualLoss} is supplied and the images are RGB);
 * the generator's noise is the constant buffers ({@code noise_mode='const'}), not optimised.
 * History terms: {@code mse}, {@code perceptual} (when used), {@code total}, {@code lr}.
 */
public final class WPlusProjector implements Inverter {
    /** Registry name. */
    public static final String NAME = "wplus";

    private final Generator g;
    private final PerceptualLoss perceptual;
    private final WPlusConfig config;

    /**
     * @param perceptual perceptual distance, or null for MSE only (the caller keeps ownership)
     */
    public WPlusProjector(Generator g, PerceptualLoss perceptual, WPlusConfig config) {
        this.g = g;
        this.perceptual = perceptual;
        this.config = config == null ? WPlusConfig.defaults() : config;
    }

    @Override
    public String name() {
        return NAME;
    }

    public WPlusConfig config() {
        return config;
    }

    @Override
    public InversionResult invertOne(Target target, Progress progress, CancellationToken cancel) {
        long t0 = System.nanoTime();
        Projection.checkTarget(g, target);
        int numWs = g.config().numWs(), res = target.resolution();
        List<String> notes = new ArrayList<>();

        SameDiff sd = SameDiff.create();
        ParamBinding params = ParamBinding.frozen(sd, g.params(), "G/");
        DataType dt = g.params().dataType();
        SDVariable ws = sd.var("ws", Projection.broadcast(g.wAvg(), numWs).castTo(dt));
        SDVariable img = g.synthesisNetwork().build(params, ws, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable recon = sd.identity("reconstruction", img);
        SDVariable tgt = sd.constant("target", target.image().castTo(dt));
        CompositeLoss.Builder lb = CompositeLoss.builder(sd).add("mse", config.mseWeight(), Pixelwise.mse(img, tgt));
        if (perceptual != null && target.channels() == 3) {
            lb.add("perceptual", config.perceptualWeight(), perceptual.distance(img, tgt, res, res).mean());
            notes.add("perceptual term: " + perceptual.name());
        } else {
            notes.add(perceptual == null ? "no perceptual distance supplied: MSE only"
                    : "grayscale target: perceptual term (" + perceptual.name() + ") skipped, MSE only");
        }
        CompositeLoss loss = lb.build();
        Adam adam = new Adam(sd, List.of("ws"), config.beta1(), config.beta2(), config.epsilon());
        double setup = Projection.seconds(t0);

        long l0 = System.nanoTime();
        List<Map<String, Double>> history = OptimisationLoop.run(sd, loss, adam, config.steps(), i -> Map.of(),
                i -> config.learningRate(), null, NAME + " " + target.name(), progress, cancel);
        double loopSeconds = Projection.seconds(l0);

        INDArray wsOut = sd.getVariable("ws").getArr().castTo(DataType.FLOAT).dup();
        INDArray reconstruction = sd.output(Map.of(), recon.name()).get(recon.name()).castTo(DataType.FLOAT).dup();
        ReconstructionMetrics metrics = ReconstructionMetrics.compute(target.image(), reconstruction, perceptual);
        Timing timing = new Timing(setup, Projection.seconds(t0), config.steps(), 1000 * loopSeconds / config.steps());
        return new InversionResult(NAME, target.name(), LatentSpace.W_PLUS, wsOut, reconstruction, Map.of(),
                Projection.configMap(config), history, metrics, timing, notes);
    }
}
