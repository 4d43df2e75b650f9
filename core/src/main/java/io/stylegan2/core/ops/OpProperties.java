package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Helpers for our subclasses of stock ops. SameDiff copies every op through its FlatBuffers form
 * when it builds a gradient function and re-creates it from a registry keyed by the native op's
 * hash; the {@link io.stylegan2.core.engine.Engine} registers our subclasses there, and a subclass
 * tells its own ops from re-created ordinary ones by an op property of its own, which these
 * helpers add and strip.
 */
final class OpProperties {
    private OpProperties() {}

    /**
     * {@code properties} plus {@code key = value}, as a copy, for a subclass's own op property
     * (SameDiff keeps it through its op copies); {@code properties} itself when {@code value} is null.
     */
    static Map<String, Object> withProperty(Map<String, Object> properties, String key, Object value) {
        if (value == null) return properties;
        Map<String, Object> m = new LinkedHashMap<>(properties == null ? Map.of() : properties);
        m.put(key, value);
        return m;
    }

    /**
     * {@code properties} without {@code key}, as a copy, or itself when it has no such key: what the
     * stock op's property setter may see (ND4J warns about, and tries to set, every other key).
     */
    static Map<String, Object> withoutProperty(Map<String, Object> properties, String key) {
        if (properties == null || !properties.containsKey(key)) return properties;
        Map<String, Object> m = new LinkedHashMap<>(properties);
        m.remove(key);
        return m;
    }

    /**
     * The "gradient" a custom backward returns for a graph constant (SameDiff M2.1 wants one per
     * input and never uses it): a scalar zero constant, made once when the gradient function is
     * built, rather than {@code sd.zerosLike(c)}, an op fed only by a constant that would run every
     * step. Such per-step ops on constants (this and the kernel flip {@code FirDepthwiseConv} had)
     * made the resident size creep by ~60 KB per inversion step (RssSoak, 32 px: 1.18 over 1000
     * steps; 1.06 without them).
     */
    static SDVariable constantsGradient(SameDiff sd, SDVariable constant) {
        return sd.constant(Nd4j.scalar(constant.dataType(), 0));
    }
}
