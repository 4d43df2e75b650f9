package io.stylegan2.inversion;

import java.util.Locale;

/**
 * The space of a latent (the one enum of the project): W (one {@code w} for every row, as the
 * official projector), W+ (one code per row, Image2StyleGAN) or W+ with additive feature offsets
 * after some synthesis blocks (SAM's F spaces). Every latent is stored as W+
 * ({@code ws [1, num_ws, w_dim]}); see {@link Latent}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum LatentSpace {
    W("w", "W"),
    W_PLUS("w_plus", "W+"),
    W_PLUS_FEATURES("w_plus_features", "W+F");

    private final String id, label;

    LatentSpace(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Lower-case id used in files ({@code w}, {@code w_plus}, {@code w_plus_features}). */
    public String id() {
        return id;
    }

    /** {@code W}, {@code W+} or {@code W+F}. */
    public String label() {
        return label;
    }

    /** Parses an id, a label, or the enum name ({@code W}, {@code W+}, {@code wplus}, {@code w_plus}, ...), case-insensitive. */
    public static LatentSpace parse(String s) {
        String t = s == null ? "" : s.trim();
        for (LatentSpace l : values())
            if (l.id.equalsIgnoreCase(t) || l.label.equalsIgnoreCase(t) || l.name().equalsIgnoreCase(t)) return l;
        if (t.equalsIgnoreCase("wplus")) return W_PLUS;
        throw new IllegalArgumentException("unknown latent space '" + s + "' (W, W+ or W+F)");
    }
}
