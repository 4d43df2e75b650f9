package io.stylegan2.core.ops;

/**
 * Activation functions of {@link BiasAct}, with NVlabs' default alpha and gain.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum Activation {
    /** Identity; default gain 1. */
    LINEAR(0.0, 1.0),
    /** Leaky ReLU {@code x >= 0 ? x : alpha * x}; default alpha 0.2, default gain sqrt(2). */
    LRELU(0.2, Math.sqrt(2.0));

    private final double defaultAlpha;
    private final double defaultGain;

    Activation(double defaultAlpha, double defaultGain) {
        this.defaultAlpha = defaultAlpha;
        this.defaultGain = defaultGain;
    }

    public double defaultAlpha() {
        return defaultAlpha;
    }

    public double defaultGain() {
        return defaultGain;
    }
}
