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
 * <p><b>Thread safety:</b> Immutable; safe from any thread (each render builds its own graph).
 */
public final class CompositionRenderer implements Renderer {
    private final Generator g;
    private final Reconstruction r;
    private final String block;

    public CompositionRenderer(Generator g, Reconstruction r) {
        this.g = g;
        this.r = r;
        this.block = FeatureComposition.block(r);
    }

    @Override
    public INDArray render() {
        return FeatureComposition.render(g, r.extras().get(FeatureComposition.CODES), r.extras().get(FeatureComposition.WEIGHTS), block, NoiseMode.CONST);
    }

    @Override
    public INDArray render(INDArray ws) {
        return render(ws, NoiseMode.CONST, 0);
    }

    /** {@code noise}: {@code CONST} or {@code NONE} (random noise is refused). */
    @Override
    public INDArray render(INDArray ws, NoiseMode noise, long noiseSeed) {
        INDArray[] out = new INDArray[(int) ws.size(0)];
        for (int i = 0; i < out.length; i++) {
            INDArray row = ws.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all());
            out[i] = FeatureComposition.render(g, FeatureComposition.editedCodes(r, row), r.extras().get(FeatureComposition.WEIGHTS), block, noise);
        }
        return Nd4j.concat(0, out);
    }

    @Override
    public void close() {
        // nothing held between renders
    }
}
