package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Subspace editing of two {@code pmsfc} results (the paper's "subspace visualization by switching the
 * subspace features"): the code(s) of one subspace taken from, or interpolated towards, the other
 * image's, everything else kept, the composition redrawn ({@link FeatureComposition#render}).
 * Ordinary direction edits of a composition result move every code ({@link CompositionRenderer}).
 *
 * <p><b>Thread safety:</b> Stateless; safe from any thread.
 */
public final class SubspaceEdits {
    private SubspaceEdits() {}

    /** {@code a} with the code(s) of subspace {@code k} replaced by {@code b}'s: {@code [1, C, R, R]}. */
    public static INDArray swap(Generator g, InversionResult a, InversionResult b, int k) {
        return interpolate(g, a, b, k, 1.0);
    }

    /** {@code a} with the code(s) of subspace {@code k} moved a fraction {@code t} towards {@code b}'s (0: {@code a}, 1: the swap). */
    public static INDArray interpolate(Generator g, InversionResult a, InversionResult b, int k, double t) {
        requirePmsfc(a, "first");
        requirePmsfc(b, "second");
        String block = FeatureComposition.block(a.reconstruction());
        if (!block.equals(FeatureComposition.block(b.reconstruction())))
            throw new IllegalArgumentException("the two results compose at different blocks: " + block + ", " + FeatureComposition.block(b.reconstruction()));
        INDArray ca = a.reconstruction().extras().get(FeatureComposition.CODES), cb = b.reconstruction().extras().get(FeatureComposition.CODES);
        INDArray weights = a.reconstruction().extras().get(FeatureComposition.WEIGHTS);
        if (!Arrays.equals(ca.shape(), cb.shape()) || !weights.equals(b.reconstruction().extras().get(FeatureComposition.WEIGHTS)))
            throw new IllegalArgumentException("the two results were made with different subspaces or code counts");
        int[] codes = codesOf(weights, k);
        INDArray mixed = ca.dup();
        for (int i : codes) {
            INDArray row = ca.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
            mixed.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(row.mul(1 - t).addi(cb.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()).mul(t)));
        }
        return FeatureComposition.render(g, mixed, weights, block, NoiseMode.CONST);
    }

    /** The number of subspaces of a pmsfc result: its distinct code masks, the base code aside. */
    public static int subspaces(InversionResult r) {
        requirePmsfc(r, "result");
        return groups(r.reconstruction().extras().get(FeatureComposition.WEIGHTS)).size();
    }

    /** The codes (rows of {@code weights}, the base aside) whose mask is subspace {@code k}'s: the k-th distinct mask in row order. */
    static int[] codesOf(INDArray weights, int k) {
        java.util.List<java.util.List<Integer>> g = groups(weights);
        if (k < 0 || k >= g.size()) throw new IllegalArgumentException("subspace " + k + " outside 0.." + (g.size() - 1));
        return g.get(k).stream().mapToInt(Integer::intValue).toArray();
    }

    /** The rows of {@code weights} (the last, the base code's, aside) grouped by equal mask, in order of first appearance. */
    private static java.util.List<java.util.List<Integer>> groups(INDArray weights) {
        java.util.List<java.util.List<Integer>> groups = new java.util.ArrayList<>();
        for (int i = 0; i < weights.size(0) - 1; i++) {
            INDArray row = weights.getRow(i);
            java.util.List<Integer> same = null;
            for (java.util.List<Integer> grp : groups) if (weights.getRow(grp.get(0)).equals(row)) same = grp;
            if (same == null) groups.add(same = new java.util.ArrayList<>());
            same.add(i);
        }
        return groups;
    }

    private static void requirePmsfc(InversionResult r, String which) {
        if (!CompositionInverter.PMSFC.equals(r.method()))
            throw new IllegalArgumentException("subspace edits need pmsfc results; the " + which + " one was made by " + r.method());
    }
}
