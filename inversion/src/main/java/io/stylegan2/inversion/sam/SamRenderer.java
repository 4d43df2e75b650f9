package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.stylegan.FeatureHooks;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The renderer of {@code sam} results: the reconstruction itself is the W+ code with each feature
 * space's offset added inside its mask ({@link ReconstructionRenderer}); an <b>edit</b> of the code
 * is drawn SAM's way. First the inverted features are recomputed with the unedited code:
 * {@code F_k = x_k + delta_k}, {@code x_k} the block's output (with the earlier spaces' offsets in
 * place). Then the edited code is synthesised, replacing the feature after each block inside its
 * mask: {@code x <- x (1 - m_k) + F_k m_k}. Regions inverted in W+ take the full edit; a region
 * inverted in space {@code bR} is frozen at that block and changes only through the styles of
 * later layers.
 *
 * <p>Difference from the released code, on soft mask edges only: it freezes to
 * {@code x_k + delta_k m_k}, so at zero edit it draws {@code x + delta m^2} instead of the
 * reconstruction's {@code x + delta m}; freezing to {@code x_k + delta_k} draws exactly the
 * reconstruction at zero edit (tested), and both agree wherever the mask is 0 or 1.
 *
 * <p><b>Thread safety:</b> Thread-safe: renders are serialised on the renderer (they share its graphs).
 */
public final class SamRenderer implements Renderer {
    private final Generator g;
    private final Reconstruction r;
    private final ReconstructionRenderer plain;
    private final Map<String, Graph> graphs = new LinkedHashMap<>();
    private final Map<NoiseMode, Map<String, INDArray>> frozen = new EnumMap<>(NoiseMode.class);

    private record Graph(SameDiff sd, String ws, String image) {}

    public SamRenderer(Generator g, Reconstruction r) {
        this.g = g;
        this.r = r;
        this.plain = new ReconstructionRenderer(g, r);
        for (String b : r.latent().featureOffsets().keySet())
            if (!r.hooks().featureMasks().containsKey(b)) throw new IllegalArgumentException("SAM result: the offset of " + b + " has no mask");
    }

    @Override
    public synchronized INDArray render() {
        return plain.render();
    }

    @Override
    public INDArray render(INDArray ws) {
        return render(ws, r.hooks().noiseMode(), 0);
    }

    /** {@code noise}: {@code CONST} or {@code NONE} (random noise would change the frozen features; refused). */
    @Override
    public synchronized INDArray render(INDArray ws, NoiseMode noise, long noiseSeed) {
        if (r.latent().featureOffsets().isEmpty()) return plain.render(ws, noise, noiseSeed);
        if (noise == NoiseMode.RANDOM) throw new IllegalArgumentException("SAM edits freeze inverted features; random noise is not supported (use const or none)");
        INDArray in = io.stylegan2.stylegan.WPlus.batch(ws, g.config(), "edited code").castTo(g.params().dataType());
        Graph gr = graphs.computeIfAbsent(noise + "/" + in.size(0), k -> build(noise, in.size(0)));
        return gr.sd().output(Map.of(gr.ws(), in), gr.image()).get(gr.image()).castTo(DataType.FLOAT).dup();
    }

    /** The inverted features {@code F_k = x_k + delta_k} by block ({@code [1, C, r, r]}), from the unedited code. */
    public Map<String, INDArray> frozenFeatures(NoiseMode noise) {
        DataType dt = g.params().dataType();
        SameDiff sd = SameDiff.create();
        SynthesisHooks.Builder hb = SynthesisHooks.builder();
        Map<String, INDArray> offsets = r.latent().featureOffsets();
        offsets.forEach((b, d) -> hb.feature(b, FeatureHooks.add(sd.constant("delta/" + b, d.castTo(dt)), sd.constant("mask/" + b, r.hooks().featureMasks().get(b).castTo(dt)))));
        SynthesisNetwork.Output out = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), "G/"), sd.constant("ws", r.latent().ws().castTo(dt)),
                noise, hb.build(), SynthesisNetwork.Start.FULL);
        String[] names = offsets.keySet().stream().map(b -> out.blockFeatures().get(b).name()).toArray(String[]::new);
        Map<String, INDArray> x = sd.output(Map.of(), names);
        Map<String, INDArray> f = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, INDArray> e : offsets.entrySet()) f.put(e.getKey(), x.get(names[i++]).castTo(DataType.FLOAT).add(e.getValue()));
        return f;
    }

    private Graph build(NoiseMode noise, long batch) {
        DataType dt = g.params().dataType();
        Map<String, INDArray> features = frozen.computeIfAbsent(noise, this::frozenFeatures);
        SameDiff sd = SameDiff.create();
        SDVariable ws = sd.placeHolder("ws", dt, batch, g.config().numWs(), g.config().wDim());
        SynthesisHooks.Builder hb = SynthesisHooks.builder();
        features.forEach((b, f) -> hb.feature(b, FeatureHooks.replace(sd.constant("frozen/" + b, f.castTo(dt)), sd.constant("mask/" + b, r.hooks().featureMasks().get(b).castTo(dt)))));
        SDVariable img = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), "G/"), ws, noise, hb.build(), SynthesisNetwork.Start.FULL).image();
        return new Graph(sd, ws.name(), img.name());
    }

    @Override
    public synchronized void close() {
        plain.close();
        graphs.clear();
    }
}
