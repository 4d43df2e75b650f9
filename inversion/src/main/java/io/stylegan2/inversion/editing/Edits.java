package io.stylegan2.inversion.editing;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOffsets;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders edits of one latent.
 *
 * <p>Each strength is rendered separately (batch 1) through the same graph as the unedited latent,
 * so strength 0 reproduces {@code g.synthesis(ws, noise, ...)} exactly; {@code RANDOM} noise uses
 * the same maps (from {@code noiseSeed}) for every strength, so only the edit changes.
 */
public final class Edits {
    private Edits() {}

    /** Strip with const/none noise (random noise from seed 0) and no weight offsets. */
    public static INDArray strip(Generator g, INDArray ws, Direction d, double[] strengths, NoiseMode noise) {
        return strip(g, ws, d, strengths, noise, 0, Map.of());
    }

    /**
     * @param ws        one latent: {@code [1, num_ws, w_dim]}, {@code [num_ws, w_dim]} or {@code [w_dim]} (broadcast to all rows)
     * @param strengths edit strengths (units of the direction, see {@link Direction#scale()})
     * @param deltas    weight offsets of a tuned generator (PTI) by canonical parameter name, in
     *                  canonical or graph layout (see {@link ResultLatents#toGraphLayout}); empty for the plain generator
     * @return images {@code [S, C, H, W]} in the generator's raw range, in the order of {@code strengths}
     */
    public static INDArray strip(Generator g, INDArray ws, Direction d, double[] strengths, NoiseMode noise, long noiseSeed,
                                 Map<String, INDArray> deltas) {
        if (strengths.length == 0) throw new IllegalArgumentException("no strengths");
        INDArray w = toWs(g, ws);
        Map<String, INDArray> noiseMaps = noise == NoiseMode.RANDOM ? g.randomNoise(1, noiseSeed) : Map.of();
        Renderer r = deltas.isEmpty() ? x -> g.synthesis(x, noise, noiseMaps) : tuned(g, noise, noiseMaps, deltas);
        INDArray[] imgs = new INDArray[strengths.length];
        for (int i = 0; i < strengths.length; i++) {
            imgs[i] = r.render(d.apply(w, strengths[i]));
            MemoryPolicy.step();
        }
        return Nd4j.concat(0, imgs);
    }

    /** The latent as {@code [1, num_ws, w_dim]} float of the generator. */
    static INDArray toWs(Generator g, INDArray ws) {
        int numWs = g.config().numWs(), wDim = g.config().wDim();
        INDArray w = ws;
        if (w.rank() == 1 && w.size(0) == wDim) {
            INDArray b = Nd4j.create(g.params().dataType(), 1, numWs, wDim);
            for (int r = 0; r < numWs; r++) b.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(r)).assign(w);
            return b;
        }
        if (w.rank() == 2 && w.size(0) == numWs && w.size(1) == wDim) w = w.reshape(1, numWs, wDim);
        if (w.rank() != 3 || w.size(0) != 1 || w.size(1) != numWs || w.size(2) != wDim)
            throw new IllegalArgumentException("ws must be one latent [1, num_ws=" + numWs + ", w_dim=" + wDim + "], [num_ws, w_dim] or [w_dim], got "
                    + Arrays.toString(ws.shape()));
        return w.castTo(g.params().dataType()).dup('c');
    }

    private interface Renderer {
        INDArray render(INDArray ws);
    }

    /** A graph of the generator with {@code theta + delta} for the given parameters. */
    private static Renderer tuned(Generator g, NoiseMode noise, Map<String, INDArray> noiseMaps, Map<String, INDArray> deltas) {
        Map<String, INDArray> graphDeltas = ResultLatents.toGraphLayout(deltas, g.params());
        SameDiff sd = SameDiff.create();
        ParamBinding p = new ParamBinding(sd, g.params(), "", n -> false, new WeightOffsets(graphDeltas::containsKey, graphDeltas));
        SDVariable wsv = sd.placeHolder("ws", g.params().dataType(), -1, g.config().numWs(), g.config().wDim());
        SynthesisNetwork net = g.synthesisNetwork();
        net.build(p, wsv, noise, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image().rename("img");
        return x -> {
            Map<String, INDArray> ph = new HashMap<>();
            ph.put("ws", x);
            if (noise == NoiseMode.RANDOM)
                for (String l : net.convLayers()) ph.put("noise/" + l, noiseMaps.get(l).castTo(g.params().dataType()));
            return sd.output(ph, "img").get("img");
        };
    }
}
