package io.stylegan2.cli;

import io.stylegan2.core.io.Figures;
import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.subspace.SubspaceEdits;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * {@code subspace-swap A B}: for two {@code pmsfc} results, A with the code of each subspace in turn
 * taken from B (or moved a fraction {@code --amount} towards it): {@code swap_K.png} per subspace and
 * {@code swap.png}, a labelled row A | B | A with B's subspace 0 | ... ({@link SubspaceEdits}).
 */
@Command(name = "subspace-swap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "PmSFC subspace editing: A with each subspace's code taken from B (two pmsfc results made with the same subspaces).")
final class SubspaceSwapCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Parameters(index = "0", paramLabel = "A", description = "pmsfc result (result.safetensors or its invert folder)")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "pmsfc result giving the subspace codes")
    Path b;

    @Option(names = "--amount", defaultValue = "1", paramLabel = "T", description = "fraction of the way to B's code (1: swap; default: ${DEFAULT-VALUE})")
    double amount;

    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        if (!Double.isFinite(amount)) throw Cli.usage(spec, "--amount must be finite, got " + amount);
        Cli.requireReadableFile(spec, Cli.resultFile(a), "A");
        Cli.requireReadableFile(spec, Cli.resultFile(b), "B");
        model.check();
        Path out = output.create();
        PrintWriter stdout = spec.commandLine().getOut();
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            InversionResult ra = Cli.loadResult(spec, a, "A", g), rb = Cli.loadResult(spec, b, "B", g);
            int k;
            try {
                k = SubspaceEdits.subspaces(ra);
                SubspaceEdits.subspaces(rb);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            List<INDArray> panels = new ArrayList<>(List.of(ra.image(), rb.image()));
            List<String> labels = new ArrayList<>(List.of("A " + ra.targetName(), "B " + rb.targetName()));
            for (int i = 0; i < k; i++) {
                INDArray img;
                try {
                    img = SubspaceEdits.interpolate(g, ra, rb, i, amount);
                } catch (IllegalArgumentException e) {
                    throw Cli.usage(spec, e.getMessage());
                }
                Images.writePng(img, out.resolve(String.format(Locale.ROOT, "swap_%d.png", i)));
                panels.add(img);
                labels.add("A + B's subspace " + i);
            }
            Figures.writeLabelledRow(panels, labels, String.format(Locale.ROOT, "subspace codes of B in A (amount %s)", amount), 128, out.resolve("swap.png"));
            stdout.printf(Locale.ROOT, "%d subspaces: wrote swap_0..%d.png and swap.png to %s%n", k, k - 1, out);
            stdout.flush();
        }
        return 0;
    }
}
