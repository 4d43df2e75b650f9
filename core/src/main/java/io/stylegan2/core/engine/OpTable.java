package io.stylegan2.core.engine;

import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * Makes SameDiff re-create a native op as one of our subclasses of its stock Java class.
 *
 * <p>SameDiff copies every op through its FlatBuffers form when it builds a gradient function and
 * re-creates it from a registry keyed by the native op's hash; a subclass that overrides
 * {@code doDiff} survives that only if the registry names it for the hash. The subclasses must
 * behave exactly as the stock op unless they carry their own op property (so ordinary ops re-created
 * as them are unchanged), and need a public no-argument constructor. Called by {@link Engine} at
 * install only.
 */
final class OpTable {
    private static final Logger log = LoggerFactory.getLogger(OpTable.class);

    private OpTable() {}

    /**
     * Registers {@code ours} for the native op {@code opName} whose stock class is {@code stock}
     * (idempotent).
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
}
