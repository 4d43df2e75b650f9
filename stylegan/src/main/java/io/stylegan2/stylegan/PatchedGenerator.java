package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generator with weight offsets and saved hook values: {@code theta + delta} over the base
 * generator's frozen store (shared, never copied) and the {@link HookState} of a reconstruction.
 * The one place that builds a "generator with overrides" for rendering: the inversion renderer
 * (edits of a tuned or hooked reconstruction), manifold drift, the tuning report and the edit
 * consistency check all render through it. Graphs are built on first use (one per noise choice)
 * and reused.
 *
 * <p><b>Thread safety:</b> Thread-safe: calls are serialised (one at a time per instance). Several
 * instances may share one base {@link Generator}; the offset and hook arrays are not copied, so no
 * thread may mutate them.
 */
public final class PatchedGenerator implements AutoCloseable {
    private static final String WS = "ws", IMG = "img";

    private final Generator base;
    private final Map<String, INDArray> offsets;
    private final HookState hooks;
    private final Map<NoiseMode, SameDiff> graphs = new HashMap<>();
    private SameDiff own;

    /**
     * @param base    the generator the offsets and hooks were made for
     * @param offsets {@code delta} by canonical parameter name, in the graph layout of {@link ParameterStore}
     *                (see {@link #fromCanonical} for offsets stored canonically); empty for none
     * @param hooks   saved hook values ({@link HookState#CONST} for none)
     */
    public PatchedGenerator(Generator base, Map<String, INDArray> offsets, HookState hooks) {
        for (Map.Entry<String, INDArray> e : offsets.entrySet()) {
            if (!base.params().has(e.getKey())) throw new IllegalArgumentException("weight offset for unknown parameter '" + e.getKey() + "'");
            long[] want = base.params().get(e.getKey()).shape();
            if (!Arrays.equals(want, e.getValue().shape()))
                throw new IllegalArgumentException("weight offset '" + e.getKey() + "': shape " + Arrays.toString(e.getValue().shape()) + ", expected " + Arrays.toString(want));
        }
        hooks.validate(base.config());
        this.base = base;
        this.offsets = Collections.unmodifiableMap(new LinkedHashMap<>(offsets));
        this.hooks = hooks;
    }

    /** Weight offsets only. */
    public PatchedGenerator(Generator base, Map<String, INDArray> offsets) {
        this(base, offsets, HookState.CONST);
    }

    /**
     * Offsets in canonical (PyTorch) layout, as saved with a reconstruction, converted to the graph
     * layout of {@code store} ({@link ParameterStore#graphLayout}: conv weights {@code [out, in, kH, kW]}
     * become {@code [kH, kW, in, out]}). Unknown names or wrong shapes fail naming the tensor.
     */
    public static Map<String, INDArray> fromCanonical(Map<String, INDArray> offsets, ParameterStore store) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : offsets.entrySet()) {
            String name = e.getKey();
            if (!store.has(name)) throw new IllegalArgumentException("weight offset delta/" + name + ": the generator has no parameter '" + name + "'");
            INDArray g = ParameterStore.graphLayout(name, e.getValue());
            if (!Arrays.equals(g.shape(), store.get(name).shape()))
                throw new IllegalArgumentException("weight offset delta/" + name + ": shape " + Arrays.toString(e.getValue().shape())
                        + " does not match the parameter (canonical " + Arrays.toString(ParameterStore.canonicalLayout(name, store.get(name)).shape()) + ")");
            out.put(name, g.castTo(store.dataType()).dup('c'));
        }
        return out;
    }

    /** Offsets in graph layout (as trained) converted to canonical (PyTorch) layout, for saving. */
    public static Map<String, INDArray> toCanonical(Map<String, INDArray> offsets) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        offsets.forEach((name, d) -> out.put(name, ParameterStore.canonicalLayout(name, d).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c')));
        return out;
    }

    public Generator base() {
        return base;
    }

    /** The offsets (graph layout). */
    public Map<String, INDArray> offsets() {
        return offsets;
    }

    public HookState hooks() {
        return hooks;
    }

    /**
     * Synthesis with the state's own noise: its explicit maps where it has them, its noise mode
     * elsewhere ({@code RANDOM}: the base generator's maps of seed 0).
     *
     * @param ws {@code [N, num_ws, w_dim]} (or {@code [N, w_dim]}, broadcast)
     * @return {@code [N, C, R, R]}
     */
    public synchronized INDArray synthesis(INDArray ws) {
        INDArray w3 = WPlus.batch(ws, base.config(), "ws");
        if (own == null) own = build(hooks.noiseMode(), true);
        return run(own, w3, hooks.noiseMode(), 0);
    }

    /**
     * Synthesis with {@code noiseMode} for every layer (the state's explicit noise maps are not
     * used); {@code RANDOM} draws the base generator's seeded maps ({@link Generator#randomNoise}).
     */
    public synchronized INDArray synthesis(INDArray ws, NoiseMode noiseMode, long noiseSeed) {
        INDArray w3 = WPlus.batch(ws, base.config(), "ws");
        SameDiff sd = graphs.computeIfAbsent(noiseMode, m -> build(m, false));
        return run(sd, w3, noiseMode, noiseSeed);
    }

    private INDArray run(SameDiff sd, INDArray w3, NoiseMode mode, long noiseSeed) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(WS, w3.castTo(base.params().dataType()));
        if (mode == NoiseMode.RANDOM) {
            Map<String, INDArray> maps = base.randomNoise(w3.size(0), noiseSeed);
            for (String l : base.synthesisNetwork().convLayers())
                if (sd.hasVariable("noise/" + l)) ph.put("noise/" + l, maps.get(l));
        }
        return sd.output(ph, IMG).get(IMG);
    }

    private SameDiff build(NoiseMode mode, boolean ownNoise) {
        SameDiff sd = SameDiff.create();
        ParamBinding p = offsets.isEmpty() ? ParamBinding.frozen(sd, base.params(), "")
                : new ParamBinding(sd, base.params(), "", n -> false, new WeightOffsets(offsets::containsKey, offsets));
        SDVariable ws = sd.placeHolder(WS, base.params().dataType(), -1, base.config().numWs(), base.config().wDim());
        HookState h = ownNoise ? hooks : hooks.withNoise(Map.of());
        base.synthesisNetwork().build(p, ws, mode, h.bind(sd, "hook/", base.params().dataType()), SynthesisNetwork.Start.FULL).image().rename(IMG);
        return sd;
    }

    @Override
    public synchronized void close() {
        graphs.clear();
        own = null;
    }
}
