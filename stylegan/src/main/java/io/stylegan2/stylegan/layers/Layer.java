package io.stylegan2.stylegan.layers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A layer or block that owns parameters: their canonical names under {@link #prefix()} and their
 * canonical (PyTorch-layout) shapes.
 *
 * <p><b>Thread safety:</b> Implementations must be immutable, so that one network's layers can be
 * shared between threads; those in this library are. {@link #parameterShapes()} returns a new map
 * on each call.
 */
public interface Layer {
    /** The prefix of the parameter names, e.g. {@code synthesis.b16.conv0} or {@code b16.conv1}. */
    String prefix();

    /**
     * Full canonical names (prefix included) to PyTorch-layout shapes (linear {@code [out, in]}, conv
     * {@code [out, in, kh, kw]}), in state-dict-like order; a fresh map.
     */
    Map<String, long[]> parameterShapes();

    /** {@code prefix + "." + local}. */
    default String param(String local) {
        return prefix() + "." + local;
    }

    /** The parameter shapes of several layers, in order. */
    static Map<String, long[]> shapesOf(Iterable<? extends Layer> layers) {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (Layer l : layers) m.putAll(l.parameterShapes());
        return m;
    }
}
