package io.stylegan2.stylegan;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Canonical tensor names and shapes of the native model format: the NVlabs stylegan2-ada-pytorch
 * {@code state_dict()} names with their PyTorch layouts (linear {@code [out, in]}, conv
 * {@code [out, in, kh, kw]} = OIHW), without the fixed {@code resample_filter} buffers.
 *
 * <p>Derived from the networks' layers, which own their names and shapes
 * ({@link io.stylegan2.stylegan.layers.Layer#parameterShapes()}); the tables below summarise them.
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
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each returns a
 * new map).
 */
public final class CanonicalLayout {
    private CanonicalLayout() {}

    /** Names that may be missing from a model. */
    public static final Set<String> OPTIONAL = Set.of(MappingNetwork.W_AVG);

    /** Expected generator tensors, in state-dict-like order: the mapping's, then the synthesis network's layers'. */
    public static Map<String, long[]> generator(GeneratorConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>(new MappingNetwork(c).parameterShapes());
        m.putAll(new SynthesisNetwork(c).parameterShapes());
        return m;
    }

    /** Expected discriminator tensors, in state-dict-like order: the blocks' (top resolution first), then the epilogue's. */
    public static Map<String, long[]> discriminator(DiscriminatorConfig c) {
        return Discriminator.parameterShapes(c);
    }
}
