package io.stylegan2.inversion.gani;

import java.util.function.Predicate;

/**
 * Which synthesis weights get a Gradient Modification Module. Biases, affines, noise strengths and the const input stay as trained.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum GmmLayers {
    /** The 3x3 modulated convs ({@code conv0}, {@code conv1}, {@code b4.conv1}). */
    CONVS(n -> n.startsWith("synthesis.") && n.endsWith(".weight") && n.contains(".conv") && !n.contains(".affine.")),
    /** The convs and the toRGB 1x1 convs. */
    CONVS_AND_TORGB(n -> n.startsWith("synthesis.") && n.endsWith(".weight") && (n.contains(".conv") || n.contains(".torgb.")) && !n.contains(".affine."));

    private final Predicate<String> selects;

    GmmLayers(Predicate<String> selects) {
        this.selects = selects;
    }

    /** Whether the canonical parameter {@code name} gets a module. */
    public boolean selects(String name) {
        return selects.test(name);
    }
}
