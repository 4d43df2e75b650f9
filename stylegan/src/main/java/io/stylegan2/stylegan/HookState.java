package io.stylegan2.stylegan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values an inversion left in the synthesis hooks ({@link SynthesisHooks}), as plain arrays that
 * can be saved, loaded and rendered: what makes a reconstruction more than its latent.
 *
 * <p><b>Thread safety:</b> Shallowly immutable: the maps are copied but the arrays are not, so it
 * is safe to share as long as no thread mutates them.
 *
 * @param noiseMode      noise of the conv layers without an explicit map ({@code CONST} or {@code NONE};
 *                       {@code RANDOM} draws seeded maps at render time)
 * @param noise          explicit noise maps by conv layer id ({@code b8.conv0}), {@code [1, 1, r, r]}
 *                       (e.g. the official projector's optimised maps)
 * @param padding        border maps by non-upsampling 3x3 conv ({@code b8.conv1}), {@code [1, C, r+2, r+2]}
 *                       (padding-space inversion; only the one-pixel ring acts, see {@link PaddingProviders#border})
 * @param featureOffsets additive offsets by block ({@code b16}), {@code [1, C, r, r]}, applied after the
 *                       block's ToRGB ({@link FeatureHook})
 * @param featureMasks   optional masks of those offsets by block, {@code [1, 1, r, r]} or {@code [1, C, r, r]}
 *                       ({@code x + offset * mask}); a block with an offset and no mask gets {@code x + offset};
 *                       a mask needs an offset when rendered (a reconstruction keeps masks here and the offsets in its latent)
 * @param constInput     replaces the learned {@code b4.const} ({@code [C, 4, 4]} or {@code [1, C, 4, 4]}), or null
 */
public record HookState(NoiseMode noiseMode, Map<String, INDArray> noise, Map<String, INDArray> padding,
                        Map<String, INDArray> featureOffsets, Map<String, INDArray> featureMasks, INDArray constInput) {

    /** No hooks, constant noise: the plain generator as {@code Generator.synthesis(ws, CONST, 0)}. */
    public static final HookState CONST = new HookState(NoiseMode.CONST, null, null, null, null, null);

    public HookState {
        if (noiseMode == null) noiseMode = NoiseMode.CONST;
        noise = copy(noise);
        padding = copy(padding);
        featureOffsets = copy(featureOffsets);
        featureMasks = copy(featureMasks);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m == null ? Map.of() : m));
    }

    /** Only a noise mode. */
    public static HookState of(NoiseMode mode) {
        return new HookState(mode, null, null, null, null, null);
    }

    public HookState withNoiseMode(NoiseMode mode) {
        return new HookState(mode, noise, padding, featureOffsets, featureMasks, constInput);
    }

    public HookState withNoise(Map<String, INDArray> maps) {
        return new HookState(noiseMode, maps, padding, featureOffsets, featureMasks, constInput);
    }

    public HookState withPadding(Map<String, INDArray> maps) {
        return new HookState(noiseMode, noise, maps, featureOffsets, featureMasks, constInput);
    }

    public HookState withFeatureOffsets(Map<String, INDArray> offsets, Map<String, INDArray> masks) {
        return new HookState(noiseMode, noise, padding, offsets, masks, constInput);
    }

    public HookState withConstInput(INDArray c) {
        return new HookState(noiseMode, noise, padding, featureOffsets, featureMasks, c);
    }

    /** True when no explicit hook value is set (the noise mode alone decides the rendering). */
    public boolean isPlain() {
        return noise.isEmpty() && padding.isEmpty() && featureOffsets.isEmpty() && constInput == null;
    }

    /** Checks every key and shape against a generator; errors name the hook and both shapes. */
    public void validate(GeneratorConfig cfg) {
        SynthesisNetwork net = new SynthesisNetwork(cfg);
        var convs = net.convLayers();
        noise.forEach((l, a) -> {
            if (!convs.contains(l)) throw new IllegalArgumentException("noise map for '" + l + "': not a conv layer of this generator " + convs);
            int r = SynthesisNetwork.resolutionOf(l);
            expect("noise map " + l, a, 1, 1, r, r);
        });
        padding.forEach((l, a) -> {
            if (!l.endsWith(".conv1") || !convs.contains(l)) throw new IllegalArgumentException("padding map for '" + l + "': not a non-upsampling 3x3 conv (bR.conv1) of this generator");
            int r = SynthesisNetwork.resolutionOf(l);
            expect("padding map " + l, a, 1, cfg.channelsAt(r), r + 2, r + 2);
        });
        featureOffsets.forEach((b, a) -> {
            int r = SynthesisNetwork.resolutionOf(b);
            if (b.contains(".") || r < 4 || r > cfg.imgResolution() || Integer.bitCount(r) != 1) throw new IllegalArgumentException("feature offset for '" + b + "': not a block of this generator");
            expect("feature offset " + b, a, 1, cfg.channelsAt(r), r, r);
            INDArray m = featureMasks.get(b);
            if (m == null) return;
            if (!(Arrays.equals(m.shape(), new long[]{1, 1, r, r}) || Arrays.equals(m.shape(), a.shape())))
                throw new IllegalArgumentException("feature mask " + b + ": shape " + Arrays.toString(m.shape()) + ", expected [1, 1, " + r + ", " + r + "] or " + Arrays.toString(a.shape()));
        });
        for (String b : featureMasks.keySet())
            if (!featureOffsets.containsKey(b)) throw new IllegalArgumentException("feature mask for block " + b + " without a feature offset");
        if (constInput != null && constInput.length() != (long) cfg.channelsAt(4) * 16)
            throw new IllegalArgumentException("const input: shape " + Arrays.toString(constInput.shape()) + ", expected [" + cfg.channelsAt(4) + ", 4, 4]");
    }

    private static void expect(String what, INDArray a, long... shape) {
        if (!Arrays.equals(a.shape(), shape))
            throw new IllegalArgumentException(what + ": shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(shape));
    }

    /**
     * The hooks of this state as graph constants of {@code sd} in data type {@code dt} (names under
     * {@code prefix}); the noise mode is not part of the hooks (pass it to {@link SynthesisNetwork#build}).
     */
    public SynthesisHooks bind(SameDiff sd, String prefix, DataType dt) {
        SynthesisHooks.Builder b = SynthesisHooks.builder();
        noise.forEach((l, a) -> b.noise(l, constant(sd, dt, prefix + "noise/" + l, a)));
        padding.forEach((l, a) -> b.padding(l, PaddingProviders.border(constant(sd, dt, prefix + "padding/" + l, a))));
        featureOffsets.forEach((blk, a) -> {
            SDVariable off = constant(sd, dt, prefix + "feature_offset/" + blk, a);
            INDArray m = featureMasks.get(blk);
            b.feature(blk, m == null ? FeatureHooks.add(off) : FeatureHooks.add(off, constant(sd, dt, prefix + "feature_mask/" + blk, m)));
        });
        if (constInput != null) b.constInput(constant(sd, dt, prefix + "const", constInput));
        return b.build();
    }

    private static SDVariable constant(SameDiff sd, DataType dt, String name, INDArray a) {
        return sd.constant(name, a.castTo(dt).dup('c'));
    }
}
