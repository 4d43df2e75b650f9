package io.stylegan2.inversion;

import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PatchedGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one renderer of {@link Reconstruction}s: the generator with the reconstruction's weight
 * offsets and hook values ({@link PatchedGenerator}), drawing its latent or any edit of it. Methods
 * draw their final image through it, so {@code edit} at strength 0 reproduces a saved reconstruction
 * exactly. Build once per reconstruction and reuse (the graph is built on first use).
 *
 * <p><b>Thread safety:</b> Thread-safe: calls are serialised (one render at a time per instance) by
 * its {@link PatchedGenerator}, which builds each graph once under its lock; the base
 * {@link Generator} may be shared with other renderers. {@link #close} only drops the graphs; a
 * later render rebuilds them.
 */
public final class ReconstructionRenderer implements Renderer {
    private final Reconstruction reconstruction;
    private final Generator g;
    private final PatchedGenerator patched;

    public ReconstructionRenderer(Generator g, Reconstruction r) {
        r.requireFits(g);
        this.g = g;
        this.reconstruction = r;
        this.patched = new PatchedGenerator(g, PatchedGenerator.fromCanonical(r.weightOffsets(), g.params()), r.renderHooks());
    }

    /** Draws a reconstruction once (a convenience for methods: build, render, close). */
    public static INDArray render(Generator g, Reconstruction r) {
        try (ReconstructionRenderer rr = new ReconstructionRenderer(g, r)) {
            return rr.render();
        }
    }

    public Reconstruction reconstruction() {
        return reconstruction;
    }

    /** The reconstruction's own image {@code [1, C, R, R]} float32 (raw generator range). */
    @Override
    public INDArray render() {
        return render(reconstruction.latent().ws());
    }

    /**
     * Another W+ code (e.g. an edit of the latent) with the reconstruction's hooks, noise and weight
     * offsets: {@code [N, num_ws, w_dim]} or {@code [N, w_dim]} to {@code [N, C, R, R]}.
     */
    @Override
    public INDArray render(INDArray ws) {
        return patched.synthesis(ws).castTo(DataType.FLOAT);
    }

    /**
     * As {@link #render(INDArray)} with another noise choice for every layer (the reconstruction's
     * own noise maps are then not used); {@code RANDOM} draws seeded maps.
     */
    @Override
    public INDArray render(INDArray ws, NoiseMode noise, long noiseSeed) {
        return patched.synthesis(ws, noise, noiseSeed).castTo(DataType.FLOAT);
    }

    public Generator generator() {
        return g;
    }

    @Override
    public void close() {
        patched.close();
    }
}
