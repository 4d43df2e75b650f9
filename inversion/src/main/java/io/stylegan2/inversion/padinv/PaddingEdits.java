package io.stylegan2.inversion.padinv;

import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.stylegan.HookState;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Edits of padding-space reconstructions (PadInv, section "Editing" of METHODS.md): ordinary latent
 * edits keep the padding maps on their own ({@link Reconstruction#withLatent}); this class adds
 * <ul>
 *   <li><b>blending</b>: the padding maps (and a replaced constant input, PadInv's slot 0) of image A,
 *       which carry layout and contour, with the W+ code, noise and weight offsets of image B, which
 *       carry appearance;</li>
 *   <li><b>pair-driven editing</b>: the difference between the codes of an original and its
 *       hand-edited copy ({@link PairEdit#between}) added to other images' codes, in padding space,
 *       in W+, or in both ({@link PairEditSpace}). The paper does not say which (no editing code was
 *       released); {@code both} is the default here and the project's measurement of the three is
 *       in {@code inversion/PADINV.md}.</li>
 * </ul>
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. {@link PairEdit}
 * is shallowly immutable.
 */
public final class PaddingEdits {
    private PaddingEdits() {}

    /** Where a pair edit's difference is applied. */
    public enum PairEditSpace {
        /** The border maps (and constant input) only: the W+ code stays. */
        PADDING,
        /** The W+ code only: the border maps stay. */
        WPLUS,
        /** Both. */
        BOTH;

        /** Parses {@code padding}, {@code wplus} or {@code both} (case-insensitive). */
        public static PairEditSpace parse(String s) {
            for (PairEditSpace v : values()) if (v.name().equalsIgnoreCase(s.replace("-", "").replace("+", "plus"))) return v;
            throw new IllegalArgumentException("pair-edit space '" + s + "': expected padding, wplus or both");
        }
    }

    /**
     * Padding maps of {@code layout} with the latent, noise, weight offsets and other hooks of
     * {@code appearance}.
     *
     * @throws IllegalArgumentException when {@code layout} has no padding maps (not a padding-space reconstruction)
     */
    public static Reconstruction blend(Reconstruction layout, Reconstruction appearance) {
        HookState l = layout.hooks();
        if (l.padding().isEmpty()) throw new IllegalArgumentException("blend: the layout image has no padding maps (invert it with padinv or padinv-opt)");
        HookState a = appearance.hooks().withPadding(l.padding());
        if (l.constInput() != null) a = a.withConstInput(l.constInput());
        return new Reconstruction(appearance.latent(), a, appearance.weightOffsets(), appearance.extras());
    }

    /**
     * The difference of two padding-space reconstructions of the same generator: {@code edited - original}
     * for the W+ code, each border map and the constant input.
     *
     * <p><b>Thread safety:</b> Shallowly immutable: the arrays are not copied, so it is safe to share as
     * long as no thread mutates them.
     *
     * @param ws      {@code [1, num_ws, w_dim]}
     * @param padding by layer, {@code [1, C, r+2, r+2]}
     * @param constInput the constant input's difference, or null when neither replaces it
     */
    public record PairEdit(INDArray ws, Map<String, INDArray> padding, INDArray constInput) {
        public PairEdit {
            Objects.requireNonNull(ws, "ws");
            padding = Map.copyOf(padding);
        }

        /** {@code edited - original}; both must have padding maps on the same layers. */
        public static PairEdit between(Reconstruction original, Reconstruction edited) {
            Map<String, INDArray> po = original.hooks().padding(), pe = edited.hooks().padding();
            if (po.isEmpty() || !po.keySet().equals(pe.keySet()))
                throw new IllegalArgumentException("pair edit: the original and the edited image need padding maps on the same layers, got "
                        + po.keySet() + " and " + pe.keySet() + " (invert both with the same padding-space method)");
            Map<String, INDArray> d = new LinkedHashMap<>();
            po.forEach((layer, a) -> d.put(layer, pe.get(layer).sub(a)));
            INDArray co = original.hooks().constInput(), ce = edited.hooks().constInput();
            if ((co == null) != (ce == null)) throw new IllegalArgumentException("pair edit: only one of the two replaces the constant input");
            return new PairEdit(edited.latent().ws().sub(original.latent().ws()), d, co == null ? null : ce.sub(co));
        }

        /**
         * {@code r} moved by {@code strength} times this difference in {@code space}; its feature offsets,
         * noise and weight offsets stay.
         */
        public Reconstruction apply(Reconstruction r, double strength, PairEditSpace space) {
            HookState h = r.hooks();
            Latent latent = r.latent();
            if (space != PairEditSpace.WPLUS) {
                if (!h.padding().keySet().equals(padding.keySet()))
                    throw new IllegalArgumentException("pair edit: the image has padding maps on " + h.padding().keySet() + ", the edit on " + padding.keySet());
                Map<String, INDArray> p = new LinkedHashMap<>();
                h.padding().forEach((layer, a) -> p.put(layer, a.add(padding.get(layer).mul(strength))));
                h = h.withPadding(p);
                if (constInput != null) {
                    if (h.constInput() == null) throw new IllegalArgumentException("pair edit: the edit replaces the constant input, the image does not");
                    h = h.withConstInput(h.constInput().add(constInput.reshape(h.constInput().shape()).mul(strength)));
                }
            }
            if (space != PairEditSpace.PADDING) {
                INDArray ws = latent.ws().add(this.ws.mul(strength));
                LatentSpace s = latent.space() == LatentSpace.W ? LatentSpace.W_PLUS : latent.space();
                latent = new Latent(s, ws, latent.featureOffsets());
            }
            return new Reconstruction(latent, h, r.weightOffsets(), r.extras());
        }
    }
}
