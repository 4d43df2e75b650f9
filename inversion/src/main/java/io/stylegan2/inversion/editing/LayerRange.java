package io.stylegan2.inversion.editing;

/**
 * A range of W+ rows {@code [start, end)} and the parser for the CLI spellings.
 *
 * <p>Spellings: {@code all}; {@code a-b} (inclusive, like {@code --seeds 1-8}: {@code 0-4} is rows
 * 0..4); a single row {@code a}; and the StyleGAN paper's presets by resolution, in W+ rows of an
 * NVlabs generator: {@code coarse} = rows {@code [0, 4)} (4x4 to 8x8), {@code middle} = rows
 * {@code [4, 8)} (16x16 to 32x32), {@code fine} = rows {@code [8, num_ws)} (64x64 and up); presets
 * are clipped to {@code num_ws}.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public record LayerRange(int start, int end) {
    public LayerRange {
        if (start < 0 || end <= start) throw new IllegalArgumentException("layer range must have 0 <= start < end, got [" + start + ", " + end + ")");
    }

    public static LayerRange all(int numWs) {
        return new LayerRange(0, numWs);
    }

    /** Parses a CLI spelling for a generator with {@code numWs} W+ rows; rows beyond it are an error. */
    public static LayerRange parse(String s, int numWs) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        LayerRange r;
        switch (t) {
            case "all" -> r = new LayerRange(0, numWs);
            case "coarse" -> r = new LayerRange(0, Math.min(4, numWs));
            case "middle" -> {
                if (numWs <= 4) throw new IllegalArgumentException("layers 'middle' (rows 4-7) does not exist: the generator has " + numWs + " W+ rows");
                r = new LayerRange(4, Math.min(8, numWs));
            }
            case "fine" -> {
                if (numWs <= 8) throw new IllegalArgumentException("layers 'fine' (rows 8+) does not exist: the generator has " + numWs + " W+ rows");
                r = new LayerRange(8, numWs);
            }
            default -> {
                try {
                    int dash = t.indexOf('-', 1);
                    int a = Integer.parseInt(dash < 0 ? t : t.substring(0, dash));
                    int b = dash < 0 ? a : Integer.parseInt(t.substring(dash + 1));
                    if (a < 0 || b < a) throw new IllegalArgumentException("bad layer range '" + s + "': need 0 <= a <= b");
                    r = new LayerRange(a, b + 1);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad layer range '" + s + "': expected all, coarse, middle, fine, a row, or a-b (inclusive)");
                }
            }
        }
        if (r.end > numWs) throw new IllegalArgumentException("layer range '" + s + "' goes past the last W+ row " + (numWs - 1));
        return r;
    }
}
