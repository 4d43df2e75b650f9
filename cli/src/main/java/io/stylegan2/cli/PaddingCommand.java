package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.Renderer;
import io.stylegan2.inversion.padinv.PaddingEdits;
import io.stylegan2.inversion.padinv.PaddingEdits.PairEdit;
import io.stylegan2.inversion.padinv.PaddingEdits.PairEditSpace;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code padding}: edits of padding-space inversions ({@code padinv-opt}, {@code padinv}) that
 * ordinary directions cannot express ({@link PaddingEdits}): {@code blend} and {@code pair-edit}.
 * Ordinary edits of such results go through {@code edit}, which keeps their padding maps.
 */
@Command(name = "padding", mixinStandardHelpOptions = true,
        description = "Edit padding-space inversions: blend layout and appearance, or apply a pair-driven edit.",
        subcommands = {PaddingCommand.Blend.class, PaddingCommand.PairEditCmd.class})
final class PaddingCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        throw Cli.usage(spec, "give a subcommand: blend or pair-edit");
    }

    static INDArray render(Generator g, String method, Reconstruction r) throws Exception {
        try (Renderer renderer = Methods.builtIn().renderer(method, g, r)) {
            return renderer.render();
        }
    }

    @Command(name = "blend", mixinStandardHelpOptions = true,
            description = {"Padding maps (layout, contour) of LAYOUT with the W+ code (appearance) of each APPEARANCE result.",
                    "Writes blend_NN.png per appearance and blend.png: layout | appearance | blend, one row each."})
    static final class Blend implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ModelOption.OrEmbedded model;
        @Mixin OutputOption output;

        @Parameters(index = "0", paramLabel = "LAYOUT", description = "padding-space inversion result whose padding maps are kept")
        Path layout;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "APPEARANCE", description = "inversion results whose latents are kept")
        List<Path> appearance;

        @Override
        public Integer call() throws Exception {
            model.check();
            Path out = output.check();
            PrintWriter stdout = spec.commandLine().getOut();
            try (ModelOption.Loaded loaded = model.load()) {
                Generator g = loaded.generator();
                InversionResult a = Cli.loadResult(spec, layout, "LAYOUT", g);
                if (a.reconstruction().hooks().padding().isEmpty())
                    throw Cli.usage(spec, "LAYOUT " + layout + ": no padding maps (method " + a.method() + "); invert it with --method padinv-opt or padinv");
                List<INDArray> rows = new ArrayList<>();
                java.nio.file.Files.createDirectories(out);
                for (int i = 0; i < appearance.size(); i++) {
                    InversionResult b = Cli.loadResult(spec, appearance.get(i), "APPEARANCE", g);
                    INDArray blended = render(g, b.method(), PaddingEdits.blend(a.reconstruction(), b.reconstruction()));
                    Images.writePng(blended, out.resolve(String.format(Locale.ROOT, "blend_%02d.png", i)));
                    rows.add(a.image());
                    rows.add(b.image());
                    rows.add(blended);
                    stdout.printf(Locale.ROOT, "blend_%02d.png  layout %s, appearance %s%n", i, layout, appearance.get(i));
                }
                Images.writeGridPng(Nd4j.concat(0, rows.toArray(new INDArray[0])), 3, out.resolve("blend.png"));
                stdout.println("wrote " + appearance.size() + " blends and blend.png to " + out);
                stdout.flush();
            }
            return 0;
        }
    }

    @Command(name = "pair-edit", mixinStandardHelpOptions = true,
            description = {"Invert an original and a hand-edited copy (both padding-space results), and apply the difference of their codes to other results.",
                    "Writes pair-edit.png (one row per RESULT: before, then one column per strength) and NN_SS.png per image."})
    static final class PairEditCmd implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin ModelOption.OrEmbedded model;
        @Mixin OutputOption output;

        @Option(names = "--original", required = true, paramLabel = "FILE", description = "inversion result of the original image")
        Path original;

        @Option(names = "--edited", required = true, paramLabel = "FILE", description = "inversion result of its hand-edited copy")
        Path edited;

        @Option(names = "--space", defaultValue = "both", paramLabel = "padding|wplus|both",
                description = "where the difference is applied (default: ${DEFAULT-VALUE})")
        String space;

        @Option(names = "--strength", defaultValue = "1", paramLabel = "A:B:N|LIST", description = "strengths (default: ${DEFAULT-VALUE})")
        String strength;

        @Parameters(arity = "1..*", paramLabel = "RESULT", description = "padding-space inversion results to edit")
        List<Path> results;

        @Override
        public Integer call() throws Exception {
            double[] strengths;
            PairEditSpace s;
            try {
                strengths = EditCommand.parseStrengths(strength);
                s = PairEditSpace.parse(space);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            model.check();
            Path out = output.check();
            PrintWriter stdout = spec.commandLine().getOut();
            try (ModelOption.Loaded loaded = model.load()) {
                Generator g = loaded.generator();
                PairEdit d;
                try {
                    d = PairEdit.between(Cli.loadResult(spec, original, "--original", g).reconstruction(), Cli.loadResult(spec, edited, "--edited", g).reconstruction());
                } catch (IllegalArgumentException e) {
                    throw Cli.usage(spec, e.getMessage());
                }
                java.nio.file.Files.createDirectories(out);
                List<INDArray> grid = new ArrayList<>();
                for (int i = 0; i < results.size(); i++) {
                    InversionResult r = Cli.loadResult(spec, results.get(i), "RESULT", g);
                    grid.add(r.image());
                    for (int k = 0; k < strengths.length; k++) {
                        INDArray img;
                        try {
                            img = render(g, r.method(), d.apply(r.reconstruction(), strengths[k], s));
                        } catch (IllegalArgumentException e) {
                            throw Cli.usage(spec, "RESULT " + results.get(i) + ": " + e.getMessage());
                        }
                        Images.writePng(img, out.resolve(String.format(Locale.ROOT, "%02d_%02d.png", i, k)));
                        grid.add(img);
                    }
                }
                Images.writeGridPng(Nd4j.concat(0, grid.toArray(new INDArray[0])), strengths.length + 1, out.resolve("pair-edit.png"));
                stdout.printf(Locale.ROOT, "pair edit in %s space, strengths %s: wrote %d images and pair-edit.png to %s%n",
                        s.name().toLowerCase(Locale.ROOT), strength, results.size() * strengths.length, out);
                stdout.flush();
            }
            return 0;
        }
    }
}
