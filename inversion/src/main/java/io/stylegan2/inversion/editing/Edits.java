package io.stylegan2.inversion.editing;

import java.util.Objects;

import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Renders edits of one reconstruction (or of a plain latent) with the shared
 * {@link ReconstructionRenderer}: the reconstruction's hook values and weight offsets stay, only
 * its latent moves along the direction.
 *
 * <p>Each strength is rendered separately (batch 1) through the same graph, so strength 0
 * reproduces the reconstruction's own image exactly; with {@code RANDOM} noise every strength uses
 * the same maps (from {@code noiseSeed}), so only the edit changes.
 *
 * <p>Example: a GANSpace direction applied to a saved inversion result (Maven:
 * {@code io.stylegan2:stylegan2-inversion} (version from {@code io.stylegan2:stylegan2-bom}) and a native backend, see the README's "Use it from your
 * project"; the same code runs in {@code JavadocExamplesTest}):
 * <pre>{@code
 * import io.stylegan2.core.io.Images;
 * import io.stylegan2.inversion.InversionResult;
 * import io.stylegan2.inversion.InversionResults;
 * import io.stylegan2.inversion.editing.Direction;
 * import io.stylegan2.inversion.editing.Edits;
 * import io.stylegan2.inversion.editing.GanSpace;
 * import io.stylegan2.inversion.editing.LayerRange;
 * import io.stylegan2.stylegan.Generator;
 * import org.nd4j.linalg.api.ndarray.INDArray;
 * import java.nio.file.Path;
 *
 * try (Generator g = Generator.load(Path.of("model.safetensors"))) {
 *     InversionResult saved = InversionResults.load(Path.of("result.safetensors"));
 *     Direction pc0 = GanSpace.compute(g, 10, 10_000, 0, LayerRange.all(g.config().numWs()))
 *             .directions().get(0);                                       // first principal component of w
 *     INDArray strip = Edits.strip(g, saved.reconstruction(), pc0, new double[]{-2, 0, 2});
 *     Images.writeGridPng(strip, 3, Path.of("strip.png"));               // the middle one is saved.image()
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread: each call
 * builds and closes its own renderer, and the {@code Generator} serialises its calls.
 */
public final class Edits {
    private Edits() {}

    /** A plain latent (any single-latent shape, see {@link Latent#of}) with the given noise, noise seed 0. */
    public static INDArray strip(Generator g, INDArray ws, Direction d, double[] strengths, NoiseMode noise) {
        return strip(g, ws, d, strengths, noise, 0);
    }

    /** A plain latent with the given noise ({@code RANDOM}: the maps of {@code noiseSeed}). */
    public static INDArray strip(Generator g, INDArray ws, Direction d, double[] strengths, NoiseMode noise, long noiseSeed) {
        return strip(g, Reconstruction.of(Latent.of(ws, g.config())), d, strengths, noise, noiseSeed);
    }

    /**
     * Edits of a reconstruction with its own noise (its maps and mode).
     *
     * @param r         a reconstruction (an inversion result's, or {@link Reconstruction#of} a latent)
     * @param strengths edit strengths (units of the direction, see {@link Direction#scale()})
     * @return images {@code [S, C, H, W]} in the generator's raw range, in the order of {@code strengths}
     */
    public static INDArray strip(Generator g, Reconstruction r, Direction d, double[] strengths) {
        try (Renderer renderer = new ReconstructionRenderer(g, r)) {
            return strip(renderer, r.latent().ws(), d, strengths, null, 0);
        }
    }

    /**
     * Edits of a reconstruction with its noise replaced.
     *
     * @param noise     this mode for every layer (the reconstruction's own maps are not used)
     * @param noiseSeed seed of {@code RANDOM} noise
     */
    public static INDArray strip(Generator g, Reconstruction r, Direction d, double[] strengths, NoiseMode noise, long noiseSeed) {
        try (Renderer renderer = new ReconstructionRenderer(g, r)) {
            return strip(renderer, r.latent().ws(), d, strengths, Objects.requireNonNull(noise, "noise mode"), noiseSeed);
        }
    }

    /**
     * Edits of a reconstruction made by {@code method}, drawn by that method's renderer
     * ({@link Methods#renderer}; the shared one for every shipped method) with the reconstruction's
     * own noise: what {@code edit} draws.
     */
    public static INDArray strip(Generator g, String method, Reconstruction r, Direction d, double[] strengths) {
        try (Renderer renderer = Methods.builtIn().renderer(method, g, r)) {
            return strip(renderer, r.latent().ws(), d, strengths, null, 0);
        }
    }

    /** As {@link #strip(Generator, String, Reconstruction, Direction, double[])} with this noise mode for every layer. */
    public static INDArray strip(Generator g, String method, Reconstruction r, Direction d, double[] strengths, NoiseMode noise, long noiseSeed) {
        try (Renderer renderer = Methods.builtIn().renderer(method, g, r)) {
            return strip(renderer, r.latent().ws(), d, strengths, Objects.requireNonNull(noise, "noise mode"), noiseSeed);
        }
    }

    /** {@code noise} null: the renderer's own noise (private: the public overloads say it by leaving the mode out). */
    private static INDArray strip(Renderer renderer, INDArray ws, Direction d, double[] strengths, NoiseMode noise, long noiseSeed) {
        if (strengths.length == 0) throw new IllegalArgumentException("no strengths");
        INDArray[] imgs = new INDArray[strengths.length];
        for (int i = 0; i < strengths.length; i++) {
            INDArray edited = d.apply(ws, strengths[i]);
            imgs[i] = noise == null ? renderer.render(edited) : renderer.render(edited, noise, noiseSeed);
            MemoryPolicy.step();
        }
        return Nd4j.concat(0, imgs);
    }
}
