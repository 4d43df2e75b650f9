package io.stylegan2.inversion.gani;

/**
 * What a Gradient Modification Module reads, per row of its layer's weight (one row per output
 * channel: the filter {@code [kH * kW * in]}). Each input is scaled to unit root-mean-square over the
 * layer, so one learning rate suits every layer.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum GmmInput {
    /** The layer's original weights {@code theta_l}. */
    WEIGHTS,
    /**
     * The gradient of the reconstruction loss (L2 + perceptual) with respect to {@code theta_l}, taken
     * once at the original weights and the pivot (the "gradient adjusting" reading of the paper).
     */
    GRADIENT,
    /** Both, concatenated ({@code 2 * kH * kW * in} values per row). */
    BOTH;

    public boolean usesGradient() {
        return this != WEIGHTS;
    }

    public boolean usesWeights() {
        return this != GRADIENT;
    }
}
