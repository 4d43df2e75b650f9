package io.stylegan2.losses;

import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The path-length regulariser of StyleGAN2 (Karras et al. 2020, NVlabs {@code Gpl}), for W+ codes
 * {@code ws [N, num_ws, w_dim]} and a random image-space direction {@code y = noise / sqrt(H W)}
 * ({@code noise} N(0, 1), {@code [N, C, H, W]}):
 * <pre>
 *   g_n       = d sum(G(ws) * y) / d ws_n                          [num_ws, w_dim]
 *   length_n  = sqrt( mean_over_rows( sum_over_w_dim g_n^2 ) )
 *   a'        = lerp(a, mean_n length_n, decay) = a + decay (mean_n length_n - a)
 *   penalty_n = (length_n - a')^2
 * </pre>
 * with {@code a} the running mean of the lengths before this step (NVlabs' {@code pl_mean} buffer; it
 * starts at 0). As in NVlabs, {@code a'} is a function of the lengths in the penalty (gradients flow
 * through it) and the caller stores its value as the new running mean. NVlabs then trains G on
 * {@code mean_n(penalty_n * pl_weight)} times the lazy-regularisation gain.
 *
 * <p>SameDiff 1.0.0-M2.1 has no second-order gradients, so {@code g} is built as an explicit graph by
 * {@link SynthesisNetwork#wsGradient} (a hand-written backward of the synthesis network made of its
 * layers' backward passes). The penalty is then an ordinary graph of the parameters and of {@code ws},
 * and SameDiff's first-order autodiff of it gives its gradient with respect to the synthesis parameters
 * and, when {@code ws} comes from the mapping network, the mapping's (tested against central finite
 * differences).
 *
 * <p><b>Thread safety:</b> Stateless; a SameDiff instance itself is not thread-safe, so build one
 * graph from one thread. {@link Result} is an immutable holder of that graph's variables.
 */
public final class PathLengthPenalty {
    private PathLengthPenalty() {}

    /**
     * @param penalty    {@code (length_n - a')^2}, {@code [N]}
     * @param lengths    {@code length_n}, {@code [N]}
     * @param mean       {@code a'}, the updated running mean (a scalar)
     * @param synthesis  the synthesis build on {@code ws}: the image {@code G(ws)}, layer outputs (same graph)
     * @param wsGradient {@code g}, {@code [N, num_ws, w_dim]}
     */
    public record Result(SDVariable penalty, SDVariable lengths, SDVariable mean, SynthesisNetwork.Output synthesis, SDVariable wsGradient) {}

    /**
     * Builds the penalty in the graph of {@code p} ({@code p.sd()}); make the generator's parameters
     * trainable in {@code p} to get their gradients.
     *
     * @param ws          {@code [N, num_ws, w_dim]}
     * @param noise       N(0, 1) image-space noise {@code [N, img_channels, R, R]} (scaled by {@code 1/R} here)
     * @param noiseMode   the synthesis noise (as {@link SynthesisNetwork#build})
     * @param runningMean the running mean of the lengths before this step, a scalar
     * @param decay       NVlabs {@code pl_decay} (0.01), in (0, 1]
     */
    public static Result build(SynthesisNetwork synthesis, ParamBinding p, SDVariable ws, SDVariable noise, NoiseMode noiseMode,
                               SDVariable runningMean, double decay) {
        if (!(decay > 0 && decay <= 1)) throw new IllegalArgumentException("path-length decay must be in (0, 1], got " + decay);
        SameDiff sd = p.sd();
        int res = synthesis.config().imgResolution();
        SynthesisNetwork.WsGradient r = synthesis.wsGradient(p, ws, noise.div((double) res), noiseMode, SynthesisHooks.NONE);
        SDVariable g = r.wsGradient();
        SDVariable lengths = sd.math().sqrt(sd.mean(sd.sum(sd.math().square(g), 2), 1));
        SDVariable mean = runningMean.add(sd.mean(lengths).sub(runningMean).mul(decay));
        SDVariable penalty = sd.math().square(lengths.sub(mean));
        return new Result(penalty, lengths, mean, r.forward(), g);
    }
}
