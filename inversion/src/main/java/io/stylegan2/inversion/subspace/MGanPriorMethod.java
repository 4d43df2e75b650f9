package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.Inverter;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodProvider;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.stylegan.Generator;

/**
 * The {@code mganprior} method: mGANprior's multi-code inversion ({@link CompositionInverter#mGanPrior})
 * with W+ codes of the StyleGAN2 generator. Its results render with {@link CompositionRenderer}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads ({@link #create} builds a new
 * inverter per call).
 */
public final class MGanPriorMethod extends MethodProvider<MGanPriorMethod.Options> {

    /**
     * @param block            the composing block (as PmSFC's subspaces, default b16)
     * @param codes            number of codes N (default 7 = PmSFC's K + 1 with K = 6)
     * @param steps            Adam steps
     * @param learningRate     Adam's rate (codes and importances)
     * @param mseWeight        weight of the pixel MSE
     * @param perceptualWeight weight of the perceptual distance (when LPIPS weights are given)
     */
    public record Options(String block, int codes, int steps, double learningRate, double mseWeight, double perceptualWeight) {
        static Options defaults() {
            return new Options("b16", 7, 1000, 0.01, 1.0, 1.0);
        }
    }

    public MGanPriorMethod() {
        super(CompositionInverter.MGANPRIOR, "mGANprior: N W+ codes with trained per-channel importances, composed at one block",
                Options.defaults());
    }

    @Override
    public Inverter create(MethodContext c, Options o) {
        CompositionInverter.Settings settings = new CompositionInverter.Settings(c.stepsOr(o.steps()), o.learningRate(), o.mseWeight(), o.perceptualWeight(),
                CompositionInverter.Loss.RECONSTRUCTION);
        return CompositionInverter.mGanPrior(c.generator(), c.perceptual(), o.block(), o.codes(), settings);
    }

    @Override
    public Renderer renderer(Generator g, Reconstruction r) {
        return new CompositionRenderer(g, r);
    }
}
