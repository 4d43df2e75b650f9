package io.stylegan2.cli;

import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.losses.lpips.LpipsNet;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared LPIPS options (a picocli mixin): {@code --lpips-weights FILE|DIR} (a native file from
 * {@code convert-lpips}, or a folder holding {@code lpips-<net>.safetensors}) and
 * {@code --lpips alex|vgg|squeeze} (which file of a folder; checked against a file). Argument
 * problems are usage errors (exit 2) naming the option.
 *
 * <p>A command sets its policy with the constructor: the net taken from a folder when
 * {@code --lpips} is not given ({@code invert}: vgg, as the official projector; null: the user must
 * say), and whether {@code --lpips} alone (without weights) is an error ({@code metrics}).
 */
final class LpipsOptions {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--lpips-weights", paramLabel = "FILE|DIR",
            description = "LPIPS weights made with convert-lpips, or a folder holding lpips-<net>.safetensors")
    Path weights;

    @Option(names = "--lpips", paramLabel = "alex|vgg|squeeze",
            description = "LPIPS v0.1 trunk: the file taken from a --lpips-weights folder, and checked against a weights file"
                    + " (invert: vgg when not given, as the official projector)")
    String net;

    private final String folderDefault;
    private final boolean netNeedsWeights;

    /** For picocli's factory: no folder default, {@code --lpips} alone is an error. */
    LpipsOptions() {
        this(null, true);
    }

    /**
     * @param folderDefault   net taken from a folder when {@code --lpips} is not given, or null to require {@code --lpips}
     * @param netNeedsWeights {@code --lpips} without {@code --lpips-weights} is a usage error
     */
    LpipsOptions(String folderDefault, boolean netNeedsWeights) {
        this.folderDefault = folderDefault;
        this.netNeedsWeights = netNeedsWeights;
    }

    /** Whether LPIPS was asked for (either option given). */
    boolean requested() {
        return weights != null || net != null;
    }

    /** The weights file to load (checked readable), or null when no weights were given. */
    Path file() {
        LpipsNet n = net == null ? null : parse(net);
        if (weights == null) {
            if (n != null && netNeedsWeights)
                throw Cli.usage(spec, "--lpips " + net + " needs --lpips-weights FILE (convert the official weights once with convert-lpips)");
            return null;
        }
        Path f = weights;
        if (Files.isDirectory(weights)) {
            if (n == null && folderDefault == null)
                throw Cli.usage(spec, "--lpips-weights is a folder: say which net with --lpips alex|vgg|squeeze");
            f = weights.resolve("lpips-" + (n != null ? n : parse(folderDefault)).id() + ".safetensors");
        }
        Cli.requireReadableFile(spec, f, "--lpips-weights");
        return f;
    }

    /**
     * Checks the arguments and loads the weights; null when none were given.
     *
     * @param imageSize the size of the images LPIPS will see, checked against the trunk's minimum; 0 to skip
     */
    Lpips load(int imageSize) throws IOException {
        Path f = file();
        if (f == null) return null;
        Lpips l = Lpips.load(f);
        try {
            if (net != null && parse(net) != l.net())
                throw Cli.usage(spec, "--lpips " + net + " but " + f + " holds " + l.net().id() + " weights");
            if (imageSize > 0 && imageSize < l.net().minSize())
                throw Cli.usage(spec, "LPIPS-" + l.net().id() + " needs images of at least " + l.net().minSize() + " px; the model makes "
                        + imageSize + " px");
            return l;
        } catch (RuntimeException e) {
            l.close();
            throw e;
        }
    }

    private LpipsNet parse(String s) {
        try {
            return LpipsNet.parse(s);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--lpips: " + e.getMessage());
        }
    }
}
