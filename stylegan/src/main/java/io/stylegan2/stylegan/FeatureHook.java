package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Edits the feature map leaving a synthesis block ({@code x}, {@code [N, C, H, W]}), after the
 * block's own ToRGB has read it: the block's skip image never sees the edit, the following blocks
 * do (SAM semantics). Used for feature reads, additive offsets, masked replacement and channel
 * mixing; see {@link FeatureHooks} for the common ones.
 *
 * <p><b>Thread safety:</b> Called from the thread that builds the graph; implementations need not
 * be thread-safe. Those of {@link FeatureHooks} are immutable but hold variables of one SameDiff
 * graph.
 */
@FunctionalInterface
public interface FeatureHook {
    /**
     * @param block block id, e.g. {@code "b16"}
     * @param x     the block's output feature {@code [N, C, H, W]}
     * @return the feature passed on to the next block (same shape)
     */
    SDVariable apply(String block, SDVariable x);

    /**
     * Checked once at graph build time with the block's channel count (op outputs have no static
     * shape in SameDiff, so hooks cannot read it from {@code x}); throw a clear error on mismatch.
     */
    default void validate(String block, long channels) {
    }

    /** Applies this hook, then {@code next}. */
    default FeatureHook andThen(FeatureHook next) {
        FeatureHook first = this;
        return new FeatureHook() {
            @Override
            public SDVariable apply(String b, SDVariable x) {
                return next.apply(b, first.apply(b, x));
            }

            @Override
            public void validate(String b, long channels) {
                first.validate(b, channels);
                next.validate(b, channels);
            }
        };
    }
}
