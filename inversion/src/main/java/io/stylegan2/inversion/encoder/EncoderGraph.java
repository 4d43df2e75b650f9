package io.stylegan2.inversion.encoder;

import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.losses.Adversarial;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.Regularisers;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.stylegan2.stylegan.PaddingProviders;
import io.stylegan2.stylegan.SynthesisHooks;

/**
 * One ReStyle iteration as a {@link MethodGraph}: placeholders {@code target}, {@code recon} (the
 * previous reconstruction, fed as data, so it is detached) and {@code wcur}; the latent is the
 * encoder's output {@code ws = wcur + E(concat(target, recon))}, drawn by the frozen generator
 * (const noise) as {@code image}; with losses, the {@link CompositeLoss} terms (placeholders
 * {@code wtrue} and the scalar {@code latentOn}, 0 for real images). The encoder's parameters are
 * the graph's trainables, except BatchNorm running statistics ({@link #statistics}), which a
 * training graph does not use (it normalises with batch statistics, output as {@link #batchStats})
 * and an inference graph reads as constants. With a padding branch the generator draws with the
 * predicted border maps ({@code pad/<layer>}) and constant input ({@code const_input}).
 */
final class EncoderGraph {
    static final String TARGET = "target", RECON = "recon", WCUR = "wcur", WTRUE = "wtrue", LATENT_ON = "latentOn", PREFIX = "enc/";

    final SameDiff sd;
    final EncoderConfig cfg;
    final CompositeLoss loss;          // null for inference
    final Map<String, INDArray> params = new LinkedHashMap<>();  // trained parameter name -> graph array (updated in place)
    final Map<String, INDArray> statistics = new LinkedHashMap<>();  // BatchNorm running statistics by parameter name
    final List<String> varNames = new ArrayList<>();
    /** Names of the latent and image outputs. */
    final String ws, image;
    /** Names of the border-map outputs by layer, and of the constant input (null without a padding branch). */
    final Map<String, String> padding = new LinkedHashMap<>();
    final String constInput;
    /** Names of each BatchNorm's batch mean and variance outputs, by BatchNorm (training graphs). */
    final Map<String, String[]> batchStats = new LinkedHashMap<>();
    /** Spatial size {@code H * W} of each BatchNorm's input, by BatchNorm. */
    final Map<String, Integer> batchPixels = new LinkedHashMap<>();

    EncoderGraph(EncoderConfig cfg, Map<String, INDArray> initial, Generator g, LossWeights lw, Lpips lpips) {
        this(cfg, initial, g, lw, lpips, null, 0);
    }

    /** Prefix of the discriminator's weights in the graph (variables the encoder's optimiser does not train). */
    static final String D_PREFIX = "D/";

    /**
     * @param d     the discriminator of the adversarial term (its weights become variables under {@link #D_PREFIX},
     *              overwritten from the alternating copy each step), or null when {@code lw.adversarial()} is 0
     * @param batch the training batch (the discriminator's minibatch-std group needs it)
     */
    EncoderGraph(EncoderConfig cfg, Map<String, INDArray> initial, Generator g, LossWeights lw, Lpips lpips, Discriminator d, int batch) {
        cfg.requireCompatible(g.config());
        this.cfg = cfg;
        MethodGraph.Builder b = MethodGraph.builder(g).paramPrefix("G/");
        sd = b.sd();
        int r = cfg.resolution(), c = cfg.imgChannels();
        SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, -1, c, r, r);
        SDVariable recon = sd.placeHolder(RECON, DataType.FLOAT, -1, c, r, r);
        SDVariable wcur = sd.placeHolder(WCUR, DataType.FLOAT, -1, cfg.numWs(), cfg.wDim());
        boolean training = lw != null;
        Map<String, SDVariable> vars = new HashMap<>();
        initial.forEach((n, a) -> {
            if (EncoderNetwork.isStatistic(n)) {
                statistics.put(n, a.castTo(DataType.FLOAT).dup());
                if (!training) vars.put(n, sd.constant(PREFIX + n, statistics.get(n)));
                return;
            }
            SDVariable v = sd.var(PREFIX + n, a.castTo(DataType.FLOAT).dup());
            vars.put(n, v);
            params.put(n, v.getArr());
            varNames.add(PREFIX + n);
        });
        SDVariable x = sd.concat(1, target, recon);
        EncoderNetwork.Outputs o = EncoderNetwork.build(cfg, x, n -> {
            SDVariable v = vars.get(n);
            if (v == null) throw new IllegalArgumentException("encoder parameters lack '" + n + "'");
            return v;
        }, training);
        o.batchStats().forEach((bn, mv) -> batchStats.put(bn, new String[]{mv[0].name(), mv[1].name()}));
        batchPixels.putAll(o.batchPixels());
        SDVariable wsVar = wcur.add(o.ws()).rename("ws");
        if (cfg.padded()) {
            SynthesisHooks.Builder hooks = SynthesisHooks.builder();
            o.padding().forEach((layer, map) -> {
                SDVariable named = map.rename("pad/" + layer);
                padding.put(layer, named.name());
                hooks.padding(layer, PaddingProviders.border(named, io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(layer) + 2));
            });
            INDArray learned = g.params().get("synthesis.b4.const").castTo(DataType.FLOAT);
            SDVariable c0 = o.constOffset().add(sd.constant(learned.reshape(1, learned.size(0), 4, 4).dup('c'))).rename("const_input");
            constInput = c0.name();
            hooks.constInput(c0);
            b.hooks(hooks.build());
        } else {
            constInput = null;
        }
        MethodGraph mg = b.latent(wsVar).trainable(varNames).build();
        SDVariable img = mg.image();
        ws = wsVar.name();
        image = img.name();
        if (lw == null) {
            loss = null;
            return;
        }
        SDVariable wtrue = sd.placeHolder(WTRUE, DataType.FLOAT, -1, cfg.numWs(), cfg.wDim());
        SDVariable latentOn = sd.placeHolder(LATENT_ON, DataType.FLOAT);
        CompositeLoss.Builder lb = mg.loss().add("l2", lw.l2(), Pixelwise.mse(img, target));
        if (lpips != null && lw.lpips() != 0) lb.add("lpips", lw.lpips(), lpips.distance(img, target, r, r).mean());
        if (lw.latent() != 0) {
            SDVariable dw = wsVar.sub(wtrue);
            lb.add("latent", lw.latent(), dw.mul(dw).mean().mul(latentOn));
        }
        if (lw.wNorm() != 0) lb.add("wnorm", lw.wNorm(), Regularisers.wNorm(wsVar, g.wAvg(), lw.wNormReduction()));
        if (lw.adversarial() != 0) {
            if (d == null) throw new IllegalArgumentException("encoder training: the adversarial term needs the model's discriminator");
            lb.add("adv", lw.adversarial(), Adversarial.generatorLoss(Adversarial.logits(d, mg.bind(d, D_PREFIX, true), img, batch)));
        }
        loss = lb.build();
    }
    /** The generator-free placeholders of one iteration. */
    Map<String, INDArray> feed(INDArray target, INDArray recon, INDArray wcur) {
        Map<String, INDArray> f = new HashMap<>();
        f.put(TARGET, target.castTo(DataType.FLOAT));
        f.put(RECON, recon.castTo(DataType.FLOAT));
        f.put(WCUR, wcur.castTo(DataType.FLOAT));
        return f;
    }

    void addTrainingFeed(Map<String, INDArray> f, INDArray wtrue) {
        if (loss == null) return;
        if (wtrue == null) {
            f.put(WTRUE, f.get(WCUR));
            f.put(LATENT_ON, Nd4j.scalar(DataType.FLOAT, 0f));
        } else {
            f.put(WTRUE, wtrue.castTo(DataType.FLOAT));
            f.put(LATENT_ON, Nd4j.scalar(DataType.FLOAT, 1f));
        }
    }

    /** Copies of the current parameters and running statistics. */
    Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        params.forEach((n, a) -> m.put(n, a.dup()));
        statistics.forEach((n, a) -> m.put(n, a.dup()));
        return m;
    }

    /**
     * Moves the running statistics towards a step's batch statistics as PyTorch's BatchNorm does:
     * {@code running = 0.9 running + 0.1 batch}, the variance unbiased ({@code n / (n - 1)}, n the
     * values per channel).
     *
     * @param outputs the step's outputs, including {@link #batchStats}
     * @param batch   images in the step
     */
    void updateStatistics(Map<String, INDArray> outputs, int batch) {
        batchStats.forEach((bn, names) -> {
            long n = (long) batch * batchPixels.get(bn);
            INDArray mean = outputs.get(names[0]).reshape(-1), var = outputs.get(names[1]).reshape(-1).mul(n / (double) Math.max(1, n - 1));
            statistics.get(bn + ".mean").muli(0.9).addi(mean.mul(0.1));
            statistics.get(bn + ".var").muli(0.9).addi(var.mul(0.1));
        });
    }
}
