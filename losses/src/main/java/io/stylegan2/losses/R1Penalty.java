package io.stylegan2.losses;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The R1 gradient penalty of StyleGAN2 (Mescheder et al. 2018), on real images {@code x}:
 * <pre>
 *   R1 = (gamma / 2) * (1/N) * sum_n sum_{c,h,w} (d sum_m D(x)_m / d x[n,c,h,w])^2
 * </pre>
 * i.e. the squared norm of each image's input gradient, summed over its pixels and channels and
 * averaged over the batch (NVlabs {@code r1_penalty = r1_grads.square().sum([1,2,3])}, then
 * {@code (r1_penalty * (r1_gamma / 2)).mean()}). Since the logits of different images only
 * interact through the minibatch-stddev layer, {@code d sum_m D(x)_m / dx} is the gradient NVlabs
 * takes ({@code autograd.grad(real_logits.sum(), real_img)}).
 *
 * <p>SameDiff 1.0.0-M2.1 has no second-order gradients, so the input gradient is built as an
 * explicit graph by {@link Discriminator#inputGradient} (a hand-written backward pass of the
 * discriminator made of its layers' backward-data passes). The penalty is then an ordinary graph of
 * the discriminator's parameters, and SameDiff's first-order autodiff of {@link Result#penalty()}
 * gives {@code dR1/dtheta_D} (tested against central finite differences). {@link Result#logits()}
 * is the discriminator's forward on the same images (same graph), so a D loss on the reals, e.g.
 * {@code softplus(-logits)}, reuses it.
 *
 * <p><b>Lazy regularisation</b> (StyleGAN2's {@code R1 every 16 minibatches}) is the caller's
 * business: on the steps where it applies, add {@code k * penalty} (k = the interval, NVlabs
 * {@code D_reg_interval}) to the D loss; NVlabs also scales the optimiser's lr and betas by
 * {@code k / (k + 1)}. The penalty graph costs about one extra forward + backward of D, so build it
 * in a separate graph (or do not request its output) on the other steps.
 *
 * <p>The realImages variable needs a static shape {@code [N, C, R, R]} (the minibatch stddev
 * depends on N). It is not differentiated here ({@code dR1/dx} is not needed for training).
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread. {@link Result} is an immutable holder of that graph's variables.
 */
public final class R1Penalty {
    private R1Penalty() {}

    /**
     * @param penalty       the scalar R1 term {@code (gamma/2) mean_n ||grad_x D||^2}
     * @param logits        {@code D(realImages)}, {@code [N, 1]}
     * @param inputGradient {@code d sum(D(x)) / dx}, {@code [N, C, H, W]}
     */
    public record Result(SDVariable penalty, SDVariable logits, SDVariable inputGradient) {}

    /**
     * Builds the penalty in the graph of {@code p} ({@code p.sd()}); make the discriminator's
     * parameters trainable in {@code p} to get {@code dR1/dtheta}.
     *
     * @param realImages {@code [N, C, R, R]}, static shape
     * @param gamma      the R1 weight (e.g. 10; NVlabs {@code r1_gamma}), >= 0
     */
    public static Result build(Discriminator d, ParamBinding p, SDVariable realImages, double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("R1 gamma must be finite and >= 0, got " + gamma);
        Discriminator.InputGradient r = d.inputGradient(p, realImages);
        long n = realImages.getShape()[0];
        SDVariable g = r.inputGradient();
        SDVariable penalty = p.sd().sum(g.mul(g)).mul(gamma / (2.0 * n));
        return new Result(penalty, r.logits(), g);
    }
}
