package io.stylegan2.inversion.sam;

import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.SynthesisNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SAM's candidate latent spaces, from the most editable to the most faithful: W+ (index 0), then
 * an additive feature offset after each synthesis block from 8 px up to half the output
 * resolution (index {@code k} is {@code blocks().get(k - 1)}). The paper's F4, F6, F8, F10 at
 * 1024 px are the blocks {@code b16 .. b128}; on the 32 px Fashion-MNIST model the spaces are
 * W+, {@code b8} and {@code b16}. The offset of space {@code bR} is added to the block's feature
 * after the block has made its ToRGB output, so it reaches the image only through later blocks.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param blocks the feature blocks, earliest first ({@code b8}, {@code b16}, ...)
 */
public record CandidateSpaces(List<String> blocks) {
    /** The name of space 0. */
    public static final String W_PLUS = "W+";

    public CandidateSpaces {
        blocks = List.copyOf(blocks);
        int last = 0;
        for (String b : blocks) {
            int r = SynthesisNetwork.resolutionOf(b);
            if (b.contains(".") || r <= last) throw new IllegalArgumentException("candidate spaces: blocks must be bR ids in increasing resolution, got " + blocks);
            last = r;
        }
    }

    /** SAM's spaces for a generator: W+ and the blocks {@code b8 .. b(R/2)}. */
    public static CandidateSpaces of(GeneratorConfig cfg) {
        return forResolution(cfg.imgResolution());
    }

    /** SAM's spaces for an output resolution {@code R}: W+ and the blocks {@code b8 .. b(R/2)}. */
    public static CandidateSpaces forResolution(int resolution) {
        List<String> b = new ArrayList<>();
        for (int r = 8; r <= resolution / 2; r *= 2) b.add("b" + r);
        if (b.isEmpty()) throw new IllegalArgumentException("SAM needs an output resolution of at least 16 px, got " + resolution);
        return new CandidateSpaces(b);
    }

    /** Number of spaces, W+ included. */
    public int count() {
        return blocks.size() + 1;
    }

    /** Space {@code i}'s name: {@code W+} or its block ({@code b16}). */
    public String name(int i) {
        check(i);
        return i == 0 ? W_PLUS : blocks.get(i - 1);
    }

    /** Every space's name, W+ first. */
    public List<String> names() {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < count(); i++) n.add(name(i));
        return n;
    }

    /** The index of a space name ({@code W+}, {@code wplus} or a block id). */
    public int index(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("w+") || n.equals("wplus")) return 0;
        int i = blocks.indexOf(n);
        if (i < 0) throw new IllegalArgumentException("unknown SAM space '" + name + "' (known: " + names() + ")");
        return i + 1;
    }

    /** The block of space {@code i >= 1}. */
    public String block(int i) {
        check(i);
        if (i == 0) throw new IllegalArgumentException("space 0 is W+, it has no block");
        return blocks.get(i - 1);
    }

    private void check(int i) {
        if (i < 0 || i >= count()) throw new IllegalArgumentException("space index " + i + " out of range 0.." + (count() - 1) + " " + names());
    }
}
