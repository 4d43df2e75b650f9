package io.stylegan2.inversion.nearperfect;

/**
 * What the discriminator does while the generator is tuned. The paper does not say; see
 * {@code inversion/NEAR_PERFECT.md} for the measurements behind the default.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum DiscriminatorMode {
    /**
     * The checkpoint's discriminator, never updated: the adversarial terms push the reconstruction
     * and the fresh samples towards what the pretrained D calls real.
     */
    FROZEN,
    /**
     * A copy of the checkpoint's discriminator takes one logistic-loss step (with R1 on its reals)
     * after every generator step. Its reals are the target image (local term) and samples of the
     * <em>original</em>, untuned generator (global term: the training set is not at hand, and the
     * original generator's samples are what the pretrained D was trained to accept); its fakes are
     * the tuned generator's reconstruction and samples. The checkpoint's discriminator is not changed.
     */
    ALTERNATING;

    /** Parses {@code frozen} / {@code alternating} (case-insensitive). */
    public static DiscriminatorMode parse(String s) {
        for (DiscriminatorMode m : values()) if (m.name().equalsIgnoreCase(s == null ? "" : s.trim())) return m;
        throw new IllegalArgumentException("discriminator mode must be frozen or alternating, got '" + s + "'");
    }
}
