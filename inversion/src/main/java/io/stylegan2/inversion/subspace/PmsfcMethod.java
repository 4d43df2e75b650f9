package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.stylegan.Generator;

import java.nio.file.Path;

/**
 * The {@code pmsfc} method: prior multi-subspace feature composition ({@link CompositionInverter#pmsfc})
 * with the channel subspaces of a {@code subspaces} file. Its results render with {@link CompositionRenderer}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} builds a new
 * inverter per call).
 */
public final class PmsfcMethod extends MethodProvider<PmsfcMethod.Options> {

    /**
     * @param subspaces       the file written by the {@code subspaces} command (required)
     * @param codesPerCluster codes per subspace (the released code: 1)
     * @param steps           Adam steps
     * @param learningRate    Adam's rate
     * @param mseWeight       weight of the pixel MSE
     * @param perceptualWeight weight of the perceptual distance (when LPIPS weights are given)
     * @param loss            {@code reconstruction} (MSE + perceptual on the composed image) or
     *                        {@code released} (the released code's 0.01 MSE(composed) + MSE(base alone))
     */
    public record Options(Path subspaces, int codesPerCluster, int steps, double learningRate, double mseWeight, double perceptualWeight,
                          CompositionInverter.Loss loss) {
        static Options defaults() {
            return new Options(null, 1, 1000, 0.01, 1.0, 1.0, CompositionInverter.Loss.RECONSTRUCTION);
        }
    }

    public PmsfcMethod() {
        super(CompositionInverter.PMSFC, "PmSFC: one W+ code per channel subspace plus a base code, composed at the subspaces' block (option subspaces=FILE from the subspaces command)",
                Options.defaults());
    }

    @Override
    public Inverter create(MethodContext c, Options o) throws Exception {
        if (o.subspaces() == null)
            throw new IllegalArgumentException("pmsfc needs subspaces=FILE: run the subspaces command first (e.g. subspaces --block b16 out.safetensors)");
        Subspaces s = Subspaces.load(o.subspaces());
        CompositionInverter.Settings settings = new CompositionInverter.Settings(c.stepsOr(o.steps()), o.learningRate(), o.mseWeight(), o.perceptualWeight(), o.loss());
        return CompositionInverter.pmsfc(c.generator(), c.perceptual(), s, o.codesPerCluster(), settings);
    }

    @Override
    public Renderer renderer(Generator g, Reconstruction r) {
        return new CompositionRenderer(g, r);
    }
}
