package io.stylegan2.inversion.editing;

/** Where a {@link Direction} lives: one {@code [w_dim]} vector added to W+ rows, or a full W+ offset {@code [num_ws, w_dim]}. */
public enum LatentSpace {
    /** A single {@code [w_dim]} vector, added to every W+ row of the direction's layer range. */
    W,
    /** A W+-shaped {@code [num_ws, w_dim]} offset; row {@code r} is added to W+ row {@code r} (rows in the range only). */
    W_PLUS;

    /** Parses {@code W}, {@code W+}, {@code W_PLUS} (case-insensitive). */
    public static LatentSpace parse(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        if (t.equals("W")) return W;
        if (t.equals("W+") || t.equals("W_PLUS") || t.equals("WPLUS")) return W_PLUS;
        throw new IllegalArgumentException("latent space must be W or W+, got '" + s + "'");
    }

    /** {@code W} or {@code W+}. */
    public String label() {
        return this == W ? "W" : "W+";
    }
}
