package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Everything an inversion method may change in the synthesis network, by layer/block id
 * ({@code b4.conv1}, {@code b8.conv0}, {@code b8.conv1}, {@code b8.torgb}, block {@code b8}).
 * The default ({@link #NONE}) is the plain generator. Build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code padding}: per non-upsampling 3x3 conv ({@code bR.conv1}), a padder that receives
 *       the <em>modulated</em> input {@code [N, C, H, W]} and returns it padded by one pixel on every
 *       side ({@code [N, C, H+2, W+2]}); see {@link PaddingProviders}.</li>
 *   <li>{@code features}: per block, a {@link FeatureHook} on the block output.</li>
 *   <li>{@code noise}: per conv layer, an explicit noise map ({@code [H, W]} or {@code [N, 1, H, W]}),
 *       e.g. a trainable variable for the projector; overrides the noise mode for that layer.</li>
 *   <li>{@code constInput}: replaces the learned {@code b4.const} ({@code [C,4,4]} or {@code [N,C,4,4]}).</li>
 * </ul>
 * Weight overrides are given to {@link ParamBinding}, not here.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the maps are copied, their hooks and variables are
 * not; these belong to one SameDiff graph, which is not thread-safe ({@link #NONE} may be shared).
 * The {@link Builder} is not thread-safe.
 */
public record SynthesisHooks(
        Map<String, UnaryOperator<SDVariable>> padding,
        Map<String, FeatureHook> features,
        Map<String, SDVariable> noise,
        SDVariable constInput) {

    /** No hooks: the plain generator. */
    public static final SynthesisHooks NONE = new SynthesisHooks(Map.of(), Map.of(), Map.of(), null);

    public SynthesisHooks {
        padding = Collections.unmodifiableMap(new LinkedHashMap<>(padding == null ? Map.of() : padding));
        features = Collections.unmodifiableMap(new LinkedHashMap<>(features == null ? Map.of() : features));
        noise = Collections.unmodifiableMap(new LinkedHashMap<>(noise == null ? Map.of() : noise));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Mutable builder; hooks for the same block are chained in insertion order.
     *
     * <p><b>Thread safety:</b> Not thread-safe: use one builder per thread.
     */
    public static final class Builder {
        private final Map<String, UnaryOperator<SDVariable>> padding = new LinkedHashMap<>();
        private final Map<String, FeatureHook> features = new LinkedHashMap<>();
        private final Map<String, SDVariable> noise = new LinkedHashMap<>();
        private SDVariable constInput;

        /** Padding for layer {@code layer} (must be a non-upsampling 3x3 conv, e.g. {@code b8.conv1}). */
        public Builder padding(String layer, UnaryOperator<SDVariable> padder) {
            padding.put(layer, padder);
            return this;
        }

        /** A hook on block {@code block}'s output (chained after any hook already set). */
        public Builder feature(String block, FeatureHook hook) {
            features.merge(block, hook, FeatureHook::andThen);
            return this;
        }

        /** Explicit noise for conv layer {@code layer}. */
        public Builder noise(String layer, SDVariable map) {
            noise.put(layer, map);
            return this;
        }

        public Builder constInput(SDVariable c) {
            this.constInput = c;
            return this;
        }

        public SynthesisHooks build() {
            return new SynthesisHooks(padding, features, noise, constInput);
        }
    }
}
