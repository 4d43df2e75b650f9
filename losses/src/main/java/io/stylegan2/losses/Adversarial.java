package io.stylegan2.losses;

import io.stylegan2.core.engine.Engine;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.ParamBinding;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * StyleGAN2's non-saturating logistic GAN loss (NVlabs {@code StyleGAN2Loss}, without the
 * regularisers), on discriminator logits {@code [N, 1]} (any shape works: every mean is over all
 * elements):
 * <ul>
 *   <li>generator: {@code L_G = mean(softplus(-D(G(w))))} = {@code -mean(log sigmoid(D(G(w))))};</li>
 *   <li>discriminator: {@code L_D = mean(softplus(D(fake))) + mean(softplus(-D(real)))}.</li>
 * </ul>
 * Logits come from {@code Discriminator.build(ParamBinding, img)} (which needs a static batch
 * size). {@link #softplus} is the numerically stable form {@code max(x, 0) + log1p(exp(-|x|))},
 * finite for any finite logit (the naive {@code log(1 + exp(x))} overflows above ~88 in float).
 *
 * <p>Building a term installs the {@link Engine} on first use, as every op of the library does
 * (its stdout filter keeps SameDiff's "Added differentiated op" lines off {@code System.out}).
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread.
 */
public final class Adversarial {
    private Adversarial() {}

    /**
     * Discriminator logits {@code [n, 1]} of any image variable of the graph (e.g. a synthesis
     * output, which has no static shape in M2.1).
     *
     * @param n the batch size of {@code img}
     */
    public static SDVariable logits(Discriminator d, ParamBinding p, SDVariable img, long n) {
        return d.build(p, img, n, null);
    }

    /** Non-saturating generator loss {@code mean(softplus(-fakeLogits))}, a scalar. */
    public static SDVariable generatorLoss(SDVariable fakeLogits) {
        return softplus(fakeLogits.neg()).mean();
    }

    /** Logistic discriminator loss {@code mean(softplus(fake)) + mean(softplus(-real))}, a scalar. */
    public static SDVariable discriminatorLoss(SDVariable realLogits, SDVariable fakeLogits) {
        return softplus(fakeLogits).mean().add(softplus(realLogits.neg()).mean());
    }

    /**
     * Element-wise {@code softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^{-|x|})}; gradient
     * {@code sigmoid(x)} (at exactly {@code x = 0} SameDiff's relu/abs subgradients give 0 instead
     * of 0.5, irrelevant in practice).
     */
    public static SDVariable softplus(SDVariable x) {
        Engine.get();
        SameDiff sd = x.getSameDiff();
        return sd.nn().relu(x, 0).add(sd.math().log1p(sd.math().exp(sd.math().abs(x).neg())));
    }
}
