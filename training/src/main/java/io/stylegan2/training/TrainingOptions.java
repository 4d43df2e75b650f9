package io.stylegan2.training;

import io.stylegan2.stylegan.NoiseMode;

/**
 * The StyleGAN2 training recipe (NVlabs stylegan2-ada-pytorch {@code train.py} /
 * {@code training/loss.py} / {@code training_loop.py}), in the official vocabulary in Java form.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param batch           images per iteration ({@code batch_size}; the minibatch-std group is the D config's)
 * @param gLr             generator Adam learning rate ({@code G_opt_kwargs.lr}, 0.002)
 * @param dLr             discriminator Adam learning rate ({@code D_opt_kwargs.lr}, 0.002)
 * @param beta1           Adam beta1 (0)
 * @param beta2           Adam beta2 (0.99)
 * @param eps             Adam epsilon (1e-8)
 * @param r1Gamma         R1 weight on reals ({@code r1_gamma}); 0 = off
 * @param dRegInterval    lazy R1: every this many iterations, with gain = interval ({@code D_reg_interval}, 16)
 * @param plWeight        path-length regularisation weight ({@code pl_weight}, 2); 0 = off
 * @param gRegInterval    lazy path length: every this many iterations ({@code G_reg_interval}, 4); 0 = G is not
 *                        lazily regularised (NVlabs {@code G_reg_interval=None}): no lr/beta correction for G,
 *                        path length not allowed. NVlabs corrects G's lr and betas by 4/5 even when the path
 *                        length is off; rosinality's loop (and {@code ../shared/models/fmnist32}) does not
 * @param plDecay         decay of the running mean path length ({@code pl_decay}, 0.01)
 * @param plBatchShrink   the path-length batch is {@code batch / plBatchShrink} ({@code pl_batch_shrink}, 2)
 * @param styleMixingProb probability of mixing two latents at a random crossover ({@code style_mixing_prob}, 0.9)
 * @param emaKimg         half-life of G_ema in thousands of images ({@code ema_kimg}, 10)
 * @param emaRampup       G_ema ramp-up: the half-life is at most {@code cur_nimg * emaRampup}; 0 = none ({@code ema_rampup})
 * @param xflip           random horizontal flips of the real images (NVlabs {@code --mirror})
 * @param noiseMode       noise of the generator while training: {@code RANDOM} (NVlabs), {@code CONST} for
 *                        deterministic checks
 * @param wAvgBeta        the tracked {@code w_avg} moves as {@code lerp(mean w, w_avg, beta)} each mapping call (0.995)
 * @param totalKimg       length of the run in thousands of real images shown ({@code total_kimg})
 * @param kimgPerTick     progress line and metrics.jsonl every this many kimg ({@code kimg_per_tick}, 4)
 * @param snapshotTicks   network + training-state snapshot every this many ticks (0 = only at the end)
 * @param imageTicks      sample grid every this many ticks (0 = only at the start and the end)
 * @param seed            seed of the initial weights, the data order and every random draw
 */
public record TrainingOptions(int batch, double gLr, double dLr, double beta1, double beta2, double eps,
                              double r1Gamma, int dRegInterval, double plWeight, int gRegInterval, double plDecay, int plBatchShrink,
                              double styleMixingProb, double emaKimg, double emaRampup, boolean xflip, NoiseMode noiseMode,
                              double wAvgBeta, double totalKimg, double kimgPerTick, int snapshotTicks, int imageTicks, long seed) {

    public TrainingOptions {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        if (!(gLr > 0) || !(dLr > 0)) throw new IllegalArgumentException("learning rates must be > 0, got " + gLr + ", " + dLr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0)) throw new IllegalArgumentException("invalid Adam betas/eps");
        if (!(r1Gamma >= 0) || !(plWeight >= 0)) throw new IllegalArgumentException("r1-gamma and pl-weight must be >= 0");
        if (dRegInterval < 1 || gRegInterval < 0) throw new IllegalArgumentException("d-reg-interval must be >= 1 and g-reg-interval >= 0");
        if (gRegInterval == 0 && plWeight > 0) throw new IllegalArgumentException("pl-weight > 0 needs a lazy G regularisation interval (g-reg-interval >= 1)");
        if (!(plDecay > 0 && plDecay <= 1) || plBatchShrink < 1) throw new IllegalArgumentException("invalid path-length settings");
        if (plWeight > 0 && batch / plBatchShrink < 1) throw new IllegalArgumentException("batch " + batch + " / pl-batch-shrink " + plBatchShrink + " leaves no image for the path length");
        if (!(styleMixingProb >= 0 && styleMixingProb <= 1)) throw new IllegalArgumentException("style-mixing-prob must be in [0, 1]");
        if (!(emaKimg >= 0) || !(emaRampup >= 0)) throw new IllegalArgumentException("ema-kimg and ema-rampup must be >= 0");
        if (noiseMode == null) noiseMode = NoiseMode.RANDOM;
        if (!(wAvgBeta >= 0 && wAvgBeta <= 1)) throw new IllegalArgumentException("w-avg-beta must be in [0, 1]");
        if (!(totalKimg > 0) || !(kimgPerTick > 0)) throw new IllegalArgumentException("total-kimg and kimg-per-tick must be > 0");
        if (snapshotTicks < 0 || imageTicks < 0) throw new IllegalArgumentException("snapshot intervals must be >= 0");
    }

    /**
     * NVlabs' defaults ({@code --cfg paper256}-like, without augmentation): batch 32, lr 0.002,
     * Adam (0, 0.99), R1 gamma 10 every 16, path-length regularisation weight 2 every 4 iterations
     * (decay 0.01, half the batch), style mixing 0.9, G_ema 10 kimg with ramp-up 0.05, x-flips,
     * random noise, 25 000 kimg, ticks of 4 kimg, snapshots every 50 ticks.
     */
    public static TrainingOptions defaults() {
        return new TrainingOptions(32, 0.002, 0.002, 0, 0.99, 1e-8, 10, 16, 2, 4, 0.01, 2, 0.9, 10, 0.05, true,
                NoiseMode.RANDOM, 0.995, 25_000, 4, 50, 50, 0);
    }

    /** Iterations of the whole run: {@code ceil(totalKimg * 1000 / batch)}. */
    public int iterations() {
        return (int) Math.ceil(totalKimg * 1000 / batch);
    }

    /** Iterations per tick (at least 1). */
    public int iterationsPerTick() {
        return Math.max(1, (int) Math.round(kimgPerTick * 1000 / batch));
    }

    /** Lazy-regularisation correction of an optimiser ({@code interval / (interval + 1)}; NVlabs {@code mb_ratio}); 1 for interval 0 (none). */
    public static double lazyRatio(int interval) {
        return interval == 0 ? 1.0 : interval / (interval + 1.0);
    }

    public TrainingOptions withBatch(int b) {
        return new TrainingOptions(b, gLr, dLr, beta1, beta2, eps, r1Gamma, dRegInterval, plWeight, gRegInterval, plDecay, plBatchShrink,
                styleMixingProb, emaKimg, emaRampup, xflip, noiseMode, wAvgBeta, totalKimg, kimgPerTick, snapshotTicks, imageTicks, seed);
    }

    public TrainingOptions withTotalKimg(double kimg) {
        return new TrainingOptions(batch, gLr, dLr, beta1, beta2, eps, r1Gamma, dRegInterval, plWeight, gRegInterval, plDecay, plBatchShrink,
                styleMixingProb, emaKimg, emaRampup, xflip, noiseMode, wAvgBeta, kimg, kimgPerTick, snapshotTicks, imageTicks, seed);
    }
}
