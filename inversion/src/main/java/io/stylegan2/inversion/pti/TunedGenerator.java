package io.stylegan2.inversion.pti;

import io.stylegan2.metrics.ManifoldDrift;
import io.stylegan2.metrics.PerceptualDistance;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WeightOffsets;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generator with PTI weight offsets: {@code theta + delta} over the base generator's frozen
 * store (shared, never copied). Renders any W+ (e.g. edited codes) with the tuned synthesis; one
 * graph per noise mode, built on first use and reused. Thread-safe (calls are serialised).
 */
public final class TunedGenerator implements AutoCloseable {
    private static final String WS = "ws", IMG = "img";

    private final Generator base;
    private final Map<String, INDArray> offsets;
    private final Map<NoiseMode, SameDiff> graphs = new EnumMap<>(NoiseMode.class);

    /**
     * @param base    the generator the offsets were trained on
     * @param offsets {@code delta} by canonical name, graph layout ({@link PtiResult#weightOffsets()})
     */
    public TunedGenerator(Generator base, Map<String, INDArray> offsets) {
        for (Map.Entry<String, INDArray> e : offsets.entrySet()) {
            if (!base.params().has(e.getKey())) throw new IllegalArgumentException("weight offset for unknown parameter '" + e.getKey() + "'");
            long[] want = base.params().get(e.getKey()).shape();
            if (!Arrays.equals(want, e.getValue().shape()))
                throw new IllegalArgumentException("weight offset '" + e.getKey() + "': shape " + Arrays.toString(e.getValue().shape()) + ", expected " + Arrays.toString(want));
        }
        this.base = base;
        this.offsets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(offsets));
    }

    public Generator base() {
        return base;
    }

    public Map<String, INDArray> offsets() {
        return offsets;
    }

    /**
     * Tuned synthesis.
     *
     * @param ws        {@code [N, num_ws, w_dim]} (or {@code [N, w_dim]}, broadcast)
     * @param noiseMode noise; {@code RANDOM} draws the base generator's seeded maps ({@link Generator#randomNoise})
     * @return {@code [N, C, R, R]}
     */
    public synchronized INDArray synthesis(INDArray ws, NoiseMode noiseMode, long noiseSeed) {
        GeneratorConfig cfg = base.config();
        INDArray w3;
        if (ws.rank() == 2 && ws.size(1) == cfg.wDim()) w3 = ws.reshape(ws.size(0), 1, cfg.wDim()).repeat(1, cfg.numWs()).reshape(ws.size(0), cfg.numWs(), cfg.wDim());
        else if (ws.rank() == 3 && ws.size(1) == cfg.numWs() && ws.size(2) == cfg.wDim()) w3 = ws;
        else throw new IllegalArgumentException("ws: shape " + Arrays.toString(ws.shape()) + ", expected [N, " + cfg.numWs() + ", " + cfg.wDim() + "] or [N, " + cfg.wDim() + "]");
        SameDiff sd = graphs.computeIfAbsent(noiseMode, this::build);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(WS, w3.castTo(base.params().dataType()));
        if (noiseMode == NoiseMode.RANDOM)
            base.randomNoise(w3.size(0), noiseSeed).forEach((l, n) -> ph.put("noise/" + l, n));
        return sd.output(ph, IMG).get(IMG);
    }

    /**
     * Manifold drift of the offsets ({@link ManifoldDrift#measure}): mean MSE (and perceptual distance) between
     * the base and the tuned generator on {@code samples} random latents (psi 1, const noise).
     */
    public ManifoldDrift.Result drift(int samples, long seed, int batch, PerceptualDistance perceptual) {
        return ManifoldDrift.measure(base, offsets, samples, seed, batch, perceptual);
    }

    private SameDiff build(NoiseMode mode) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = new ParamBinding(sd, base.params(), "", n -> false, new WeightOffsets(offsets::containsKey, offsets));
        SDVariable ws = sd.placeHolder(WS, base.params().dataType(), -1, base.config().numWs(), base.config().wDim());
        base.synthesisNetwork().build(p, ws, mode, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image().rename(IMG);
        return sd;
    }

    @Override
    public synchronized void close() {
        graphs.clear();
    }
}
