package io.stylegan2.inversion;

/**
 * The space an inversion optimised. The latent is always stored as W+ ({@code ws [1, num_ws, w_dim]});
 * for {@link #W} all rows are equal. What a method adds on top (noise maps, weight offsets, padding
 * maps, feature offsets...) lives in {@link InversionResult#extras()}.
 */
public enum LatentSpace {
    /** One {@code w} broadcast to every row (the official projector). */
    W,
    /** One code per layer row (Image2StyleGAN). */
    W_PLUS;

    /** Lower-case id used in files ({@code w}, {@code w_plus}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static LatentSpace parse(String s) {
        for (LatentSpace l : values()) if (l.id().equalsIgnoreCase(s) || l.name().equalsIgnoreCase(s)) return l;
        throw new IllegalArgumentException("unknown latent space '" + s + "' (w or w_plus)");
    }
}
