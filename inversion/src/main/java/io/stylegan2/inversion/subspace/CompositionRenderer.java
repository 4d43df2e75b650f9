package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The renderer of {@code pmsfc} and {@code mganprior} results ({@link FeatureComposition}): the
 * saved codes composed with the saved weights; an edit of the latent (the base code) moves every
 * code by the same change, and the composition is recomputed.
 *
 * The graph is built once per noise mode and reused for every render (a strip of edits).
 *
 * <p><b>Thread safety:</b> Thread-safe: renders are serialised on the renderer (they share its graphs).
 */
public final class CompositionRenderer implements Renderer {
    private final Generator g;
    private final Reconstruction r;
    private final String block;
    private final java.util.Map<NoiseMode, FeatureComposition.Graph> graphs = new java.util.EnumMap<>(NoiseMode.class);

    public CompositionRenderer(Generator g, Reconstruction r) {
        this.g = g;
        this.r = r;
        this.block = FeatureComposition.block(r);
    }

    private FeatureComposition.Graph graph(NoiseMode noise) {
        return graphs.computeIfAbsent(noise, m -> new FeatureComposition.Graph(g, r.extras().get(FeatureComposition.WEIGHTS), block, m,
                r.extras().get(FeatureComposition.CODES).size(0)));
    }

    @Override
    public synchronized INDArray render() {
        return graph(NoiseMode.CONST).render(r.extras().get(FeatureComposition.CODES));
    }

    @Override
    public INDArray render(INDArray ws) {
        return render(ws, NoiseMode.CONST, 0);
    }

    /** {@code noise}: {@code CONST} or {@code NONE} (random noise is refused). */
    @Override
    public synchronized INDArray render(INDArray ws, NoiseMode noise, long noiseSeed) {
        INDArray[] out = new INDArray[(int) ws.size(0)];
        for (int i = 0; i < out.length; i++) {
            INDArray row = ws.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all());
            out[i] = graph(noise).render(FeatureComposition.editedCodes(r, row));
        }
        return Nd4j.concat(0, out);
    }

    @Override
    public void close() {
        // nothing held between renders
    }
}
