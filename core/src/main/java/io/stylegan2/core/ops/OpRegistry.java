package io.stylegan2.core.ops;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes SameDiff re-create a native op as one of our subclasses of its stock Java class.
 *
 * <p>SameDiff copies every op through its FlatBuffers form when it builds a gradient function and
 * re-creates it from a registry keyed by the native op's hash; a subclass that overrides
 * {@code doDiff} survives that only if the registry names it for the hash. The subclasses must
 * behave exactly as the stock op unless they carry their own op property (so ordinary ops re-created
 * as them are unchanged), and need a public no-argument constructor.
 */
final class OpRegistry {
    private static final Logger log = LoggerFactory.getLogger(OpRegistry.class);

    private OpRegistry() {}

    /**
     * Registers {@code ours} for the native op {@code opName} whose stock class is {@code stock}.
     *
     * @return false (with a warning) if ND4J's registry is not as expected; callers then use the stock op
     */
    @SuppressWarnings("unchecked")
    static boolean replace(String opName, Class<?> stock, Class<?> ours) {
        try {
            Field f = DifferentialFunctionClassHolder.class.getDeclaredField("customOpHashToClass");
            f.setAccessible(true);
            Map<Long, Class<?>> byHash = (Map<Long, Class<?>>) f.get(DifferentialFunctionClassHolder.getInstance());
            long hash = Nd4j.getExecutioner().getCustomOperations().get(opName).getHash();
            synchronized (byHash) {
                Class<?> current = byHash.get(hash);
                if (current != stock && current != ours)
                    throw new IllegalStateException("op " + opName + " maps to " + current + ", expected " + stock);
                byHash.put(hash, ours);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("op {}: ND4J's op registry is not as expected ({}); using the stock backward", opName, e.toString());
            return false;
        }
    }

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
