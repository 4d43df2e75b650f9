package io.stylegan2.stylegan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Canonical tensor names and shapes of the native model format: the NVlabs stylegan2-ada-pytorch
 * {@code state_dict()} names with their PyTorch layouts (linear {@code [out, in]}, conv
 * {@code [out, in, kh, kw]} = OIHW), without the fixed {@code resample_filter} buffers.
 *
 * <p>Generator ({@code C(r)} = channels at resolution r, {@code W} = w_dim, {@code Z} = z_dim):
 * <pre>
 * mapping.fc{i}.weight [W, i==0 ? Z : W]      raw; effective = weight * lr_multiplier / sqrt(in)
 * mapping.fc{i}.bias   [W]                    raw; effective = bias * lr_multiplier
 * mapping.w_avg        [W]                    (optional: absent when the source had no average)
 * synthesis.b4.const   [C4, 4, 4]
 * synthesis.b{r}.conv0.* (r &ge; 8, upsampling), synthesis.b{r}.conv1.* (every r):
 *     weight [C(r), Cin, 3, 3]   (Cin = C(r/2) for conv0, C(r) for conv1)
 *     bias [C(r)], noise_strength [] (rank-0 scalar), noise_const [r, r]
 *     affine.weight [Cin, W], affine.bias [Cin]
 * synthesis.b{r}.torgb.weight [img_channels, C(r), 1, 1], .bias [img_channels],
 *     .affine.weight [C(r), W], .affine.bias [C(r)]
 * </pre>
 * Discriminator (resnet; {@code top} = img_resolution):
 * <pre>
 * b{top}.fromrgb.weight [C(top), img_channels, 1, 1], .bias [C(top)]
 * b{r}.conv0.weight [C(r), C(r), 3, 3], .bias [C(r)]           r = top ... 8
 * b{r}.conv1.weight [C(r/2), C(r), 3, 3], .bias [C(r/2)]   (stride-2 after the blur)
 * b{r}.skip.weight  [C(r/2), C(r), 1, 1]                   (no bias)
 * b4.conv.weight [C4, C4 + mbstd_num_channels, 3, 3], .bias [C4]
 * b4.fc.weight [C4, C4 * 16], .bias [C4]
 * b4.out.weight [1, C4], .bias [1]
 * </pre>
 */
public final class CanonicalLayout {
    private CanonicalLayout() {}

    /** Names that may be missing from a model. */
    public static final Set<String> OPTIONAL = Set.of("mapping.w_avg");

    /** Expected generator tensors, in state-dict-like order. */
    public static Map<String, long[]> generator(GeneratorConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long w = c.wDim();
        for (int i = 0; i < c.mappingLayers(); i++) {
            m.put("mapping.fc" + i + ".weight", new long[]{w, i == 0 ? c.zDim() : w});
            m.put("mapping.fc" + i + ".bias", new long[]{w});
        }
        m.put("mapping.w_avg", new long[]{w});
        for (int res : c.blockResolutions()) {
            String b = "synthesis.b" + res + ".";
            long cr = c.channelsAt(res);
            if (res == 4) {
                m.put(b + "const", new long[]{cr, 4, 4});
            } else {
                layer(m, b + "conv0.", cr, c.channelsAt(res / 2), res, w);
            }
            layer(m, b + "conv1.", cr, cr, res, w);
            m.put(b + "torgb.weight", new long[]{c.imgChannels(), cr, 1, 1});
            m.put(b + "torgb.bias", new long[]{c.imgChannels()});
            m.put(b + "torgb.affine.weight", new long[]{cr, w});
            m.put(b + "torgb.affine.bias", new long[]{cr});
        }
        return m;
    }

    private static void layer(Map<String, long[]> m, String p, long out, long in, int res, long w) {
        m.put(p + "weight", new long[]{out, in, 3, 3});
        m.put(p + "bias", new long[]{out});
        m.put(p + "noise_strength", new long[]{});
        m.put(p + "noise_const", new long[]{res, res});
        m.put(p + "affine.weight", new long[]{in, w});
        m.put(p + "affine.bias", new long[]{in});
    }

    /** Expected discriminator tensors, in state-dict-like order. */
    public static Map<String, long[]> discriminator(DiscriminatorConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int top = c.imgResolution();
        for (int res = top; res >= 8; res /= 2) {
            String b = "b" + res + ".";
            long cr = c.channelsAt(res), co = c.channelsAt(res / 2);
            if (res == top) {
                m.put(b + "fromrgb.weight", new long[]{cr, c.imgChannels(), 1, 1});
                m.put(b + "fromrgb.bias", new long[]{cr});
            }
            m.put(b + "conv0.weight", new long[]{cr, cr, 3, 3});
            m.put(b + "conv0.bias", new long[]{cr});
            m.put(b + "conv1.weight", new long[]{co, cr, 3, 3});
            m.put(b + "conv1.bias", new long[]{co});
            m.put(b + "skip.weight", new long[]{co, cr, 1, 1});
        }
        long c4 = c.channelsAt(4);
        m.put("b4.conv.weight", new long[]{c4, c4 + c.mbstdNumChannels(), 3, 3});
        m.put("b4.conv.bias", new long[]{c4});
        m.put("b4.fc.weight", new long[]{c4, c4 * 16});
        m.put("b4.fc.bias", new long[]{c4});
        m.put("b4.out.weight", new long[]{1, c4});
        m.put("b4.out.bias", new long[]{1});
        return m;
    }
}
