package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Edits the feature map leaving a synthesis block ({@code x}, {@code [N, C, H, W]}), after the
 * block's own ToRGB has read it: the block's skip image never sees the edit, the following blocks
 * do (SAM semantics). Used for feature reads, additive offsets, masked replacement and channel
 * mixing; see {@link FeatureHooks} for the common ones.
 */
@FunctionalInterface
public interface FeatureHook {
    /**
     * @param block block id, e.g. {@code "b16"}
     * @param x     the block's output feature {@code [N, C, H, W]}
     * @return the feature passed on to the next block (same shape)
     */
    SDVariable apply(String block, SDVariable x);

    /** Applies this hook, then {@code next}. */
    default FeatureHook andThen(FeatureHook next) {
        return (b, x) -> next.apply(b, apply(b, x));
    }
}
