package io.stylegan2.inversion.gani;

import io.stylegan2.losses.Locality;
import io.stylegan2.stylegan.NoiseMode;

/**
 * Settings of {@link GaniTuning}. The paper's numbers could not be read (no code was released, see
 * inversion/GANI.md); {@link #defaults()} come from the sweep recorded there.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param maxSteps         Adam updates of the module parameters
 * @param learningRate     Adam learning rate
 * @param beta1            Adam beta1
 * @param beta2            Adam beta2
 * @param eps              Adam epsilon
 * @param input            what each module reads ({@link GmmInput})
 * @param layers           which synthesis weights get a module ({@link GmmLayers})
 * @param sharing          what one row of a module is ({@link GmmSharing})
 * @param width            hidden units per module
 * @param l2Weight         weight of the MSE to the target
 * @param perceptualWeight weight of the perceptual distance (LPIPS)
 * @param locality         PTI's locality regulariser, or {@code null} for off
 * @param noiseMode        noise of the tuned forward pass: {@code CONST} or {@code NONE}
 * @param seed             seed of the modules' initialisation and of the regulariser's latents
 */
public record GaniConfig(int maxSteps, double learningRate, double beta1, double beta2, double eps, GmmInput input, GmmLayers layers,
                         GmmSharing sharing, int width, double l2Weight, double perceptualWeight, Locality.Config locality, NoiseMode noiseMode, long seed) {

    public GaniConfig {
        if (maxSteps < 0) throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (width < 1) throw new IllegalArgumentException("width must be >= 1, got " + width);
        if (!Double.isFinite(l2Weight) || !Double.isFinite(perceptualWeight)) throw new IllegalArgumentException("loss weights must be finite");
        if (input == null) input = GmmInput.WEIGHTS;
        if (layers == null) layers = GmmLayers.CONVS_AND_TORGB;
        if (sharing == null) sharing = GmmSharing.FILTERS;
        if (noiseMode == null) noiseMode = NoiseMode.CONST;
        if (noiseMode == NoiseMode.RANDOM) throw new IllegalArgumentException("GANI tunes with noise mode CONST (or NONE), not RANDOM");
    }

    /** The defaults (see inversion/GANI.md for the sweep behind them). */
    public static GaniConfig defaults() {
        return new GaniConfig(350, 1e-4, 0.9, 0.999, 1e-8, GmmInput.WEIGHTS, GmmLayers.CONVS_AND_TORGB, GmmSharing.FILTERS, 32, 1.0, 1.0, null, NoiseMode.CONST, 0);
    }

    public GaniConfig withMaxSteps(int n) {
        return new GaniConfig(n, learningRate, beta1, beta2, eps, input, layers, sharing, width, l2Weight, perceptualWeight, locality, noiseMode, seed);
    }

    public GaniConfig withLearningRate(double lr) {
        return new GaniConfig(maxSteps, lr, beta1, beta2, eps, input, layers, sharing, width, l2Weight, perceptualWeight, locality, noiseMode, seed);
    }

    public GaniConfig withInput(GmmInput in) {
        return new GaniConfig(maxSteps, learningRate, beta1, beta2, eps, in, layers, sharing, width, l2Weight, perceptualWeight, locality, noiseMode, seed);
    }

    public GaniConfig withLayers(GmmLayers l) {
        return new GaniConfig(maxSteps, learningRate, beta1, beta2, eps, input, l, sharing, width, l2Weight, perceptualWeight, locality, noiseMode, seed);
    }

    public GaniConfig withSharing(GmmSharing sh) {
        return new GaniConfig(maxSteps, learningRate, beta1, beta2, eps, input, layers, sh, width, l2Weight, perceptualWeight, locality, noiseMode, seed);
    }

    public GaniConfig withWidth(int w) {
        return new GaniConfig(maxSteps, learningRate, beta1, beta2, eps, input, layers, sharing, w, l2Weight, perceptualWeight, locality, noiseMode, seed);
    }

    /** Turns PTI's locality regulariser on with these settings ({@code null}: off). */
    public GaniConfig withLocality(Locality.Config c) {
        return new GaniConfig(maxSteps, learningRate, beta1, beta2, eps, input, layers, sharing, width, l2Weight, perceptualWeight, c, noiseMode, seed);
    }

    public GaniConfig withSeed(long s) {
        return new GaniConfig(maxSteps, learningRate, beta1, beta2, eps, input, layers, sharing, width, l2Weight, perceptualWeight, locality, noiseMode, s);
    }
}
