package io.stylegan2.inversion.encoder;

import io.stylegan2.inversion.engine.MethodGraph;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.Regularisers;
import io.stylegan2.losses.lpips.Lpips;
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

/**
 * One ReStyle iteration as a {@link MethodGraph}: placeholders {@code target}, {@code recon} (the
 * previous reconstruction, fed as data, so it is detached) and {@code wcur}; the latent is the
 * encoder's output {@code ws = wcur + E(concat(target, recon))}, drawn by the frozen generator
 * (const noise) as {@code image}; with losses, the {@link CompositeLoss} terms (placeholders
 * {@code wtrue} and the scalar {@code latentOn}, 0 for real images). The encoder's parameters are
 * the graph's trainables.
 */
final class EncoderGraph {
    static final String TARGET = "target", RECON = "recon", WCUR = "wcur", WTRUE = "wtrue", LATENT_ON = "latentOn", PREFIX = "enc/";

    final SameDiff sd;
    final EncoderConfig cfg;
    final CompositeLoss loss;          // null for inference
    final Map<String, INDArray> params = new LinkedHashMap<>();  // parameter name -> graph array (updated in place)
    final List<String> varNames = new ArrayList<>();
    /** Names of the latent and image outputs. */
    final String ws, image;

    EncoderGraph(EncoderConfig cfg, Map<String, INDArray> initial, Generator g, LossWeights lw, Lpips lpips) {
        cfg.requireCompatible(g.config());
        this.cfg = cfg;
        MethodGraph.Builder b = MethodGraph.builder(g).paramPrefix("G/");
        sd = b.sd();
        int r = cfg.resolution(), c = cfg.imgChannels();
        SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, -1, c, r, r);
        SDVariable recon = sd.placeHolder(RECON, DataType.FLOAT, -1, c, r, r);
        SDVariable wcur = sd.placeHolder(WCUR, DataType.FLOAT, -1, cfg.numWs(), cfg.wDim());
        Map<String, SDVariable> vars = new HashMap<>();
        initial.forEach((n, a) -> {
            SDVariable v = sd.var(PREFIX + n, a.castTo(DataType.FLOAT).dup());
            vars.put(n, v);
            params.put(n, v.getArr());
            varNames.add(PREFIX + n);
        });
        SDVariable x = sd.concat(1, target, recon);
        SDVariable delta = EncoderNetwork.build(cfg, x, n -> {
            SDVariable v = vars.get(n);
            if (v == null) throw new IllegalArgumentException("encoder parameters lack '" + n + "'");
            return v;
        });
        SDVariable wsVar = wcur.add(delta).rename("ws");
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
            SDVariable d = wsVar.sub(wtrue);
            lb.add("latent", lw.latent(), d.mul(d).mean().mul(latentOn));
        }
        if (lw.wNorm() != 0) lb.add("wnorm", lw.wNorm(), Regularisers.wNorm(wsVar, g.wAvg(), Regularisers.Reduction.MEAN));
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

    /** Copies of the current parameters. */
    Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        params.forEach((n, a) -> m.put(n, a.dup()));
        return m;
    }
}
