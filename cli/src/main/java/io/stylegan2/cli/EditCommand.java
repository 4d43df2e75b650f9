package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.DirectionSet;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.inversion.editing.ResultLatents;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code edit}: renders one latent edited along a saved direction at several strengths: a strip
 * ({@code strip.png}, one column per strength) and {@code edit_NN.png} per strength.
 */
@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Edit a latent along a direction and render a strip of images.")
final class EditCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", description = "native model file (default: the model embedded in the jar)")
    Path model;

    static final class Inputs {
        @Option(names = "--w", paramLabel = "FILE.npy", description = "latents [N, w_dim] or [N, num_ws, w_dim]; --index picks the row")
        Path w;
        @Option(names = "--result", paramLabel = "FILE", description = "inversion result (safetensors with a 'ws' tensor and optional 'delta/<name>' weight offsets)")
        Path result;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Inputs inputs;

    @picocli.CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "RESULT",
            description = "inversion result file (the same as --result)")
    Path resultArg;

    @Option(names = "--index", defaultValue = "0", description = "row of --w to edit (default: ${DEFAULT-VALUE})")
    int index;

    @Option(names = "--direction", required = true, paramLabel = "FILE[:NAME|INDEX]", description = "direction file, optionally with the direction's name or index (default: the first)")
    String direction;

    @Option(names = "--strength", defaultValue = "-3:3:7", paramLabel = "A:B:N|LIST",
            description = "strengths: A:B:N (N values from A to B) or a comma list (default: ${DEFAULT-VALUE}); use --strength=-2,2 for lists starting with '-'")
    String strength;

    @Option(names = "--noise-mode", defaultValue = "const", paramLabel = "const|random|none", description = "noise inputs (default: ${DEFAULT-VALUE})")
    NoiseMode noiseMode;

    @Option(names = "--noise-seed", defaultValue = "0", description = "seed of random noise, the same for every strength (default: ${DEFAULT-VALUE})")
    long noiseSeed;

    @Option(names = "--no-offsets", description = "ignore the weight offsets (delta/*) of --result and render with the plain generator")
    boolean noOffsets;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created if missing)")
    Path out;

    @Override
    public Integer call() throws Exception {
        int given = (resultArg != null ? 1 : 0) + (inputs != null ? 1 : 0);
        if (given != 1) throw Cli.usage(spec, "give exactly one latent source: RESULT, --result FILE or --w FILE.npy");
        if (resultArg != null) {
            inputs = new Inputs();
            inputs.result = resultArg;
        }
        double[] strengths;
        try {
            strengths = parseStrengths(strength);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--strength: " + e.getMessage());
        }
        if (model != null) Cli.requireReadableFile(spec, model, "--model");
        if (inputs.w != null) Cli.requireReadableFile(spec, inputs.w, "--w");
        if (inputs.result != null) Cli.requireReadableFile(spec, inputs.result, "--result");
        Path dirFile = Path.of(direction);
        String select = "0";
        if (!Files.isRegularFile(dirFile) && direction.lastIndexOf(':') > 0) {
            int c = direction.lastIndexOf(':');
            dirFile = Path.of(direction.substring(0, c));
            select = direction.substring(c + 1);
        }
        Cli.requireReadableFile(spec, dirFile, "--direction");
        if (Files.exists(out) && !Files.isDirectory(out)) throw Cli.usage(spec, "--out: not a folder: " + out);

        Direction d;
        try {
            d = DirectionSet.load(dirFile).select(select);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--direction: " + e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        try (Generator g = Cli.loadGenerator(model)) {
            int numWs = g.config().numWs(), wDim = g.config().wDim();
            INDArray ws;
            Map<String, INDArray> deltas = Map.of();
            if (inputs.result != null) {
                ResultLatents r = ResultLatents.read(inputs.result);
                ws = r.ws();
                if (ws.size(0) != 1) throw Cli.usage(spec, "--result: 'ws' holds " + ws.size(0) + " latents, expected 1");
                if (!noOffsets) deltas = r.deltas();
            } else {
                INDArray lat = Npy.read(inputs.w);
                boolean ok = (lat.rank() == 2 && lat.size(1) == wDim) || (lat.rank() == 3 && lat.size(1) == numWs && lat.size(2) == wDim);
                if (!ok) throw Cli.usage(spec, "--w " + inputs.w + ": expected [N, w_dim=" + wDim + "] or [N, num_ws=" + numWs + ", w_dim], got "
                        + Arrays.toString(lat.shape()));
                if (index < 0 || index >= lat.size(0)) throw Cli.usage(spec, "--index " + index + " out of range: --w has " + lat.size(0) + " rows");
                ws = lat.rank() == 2 ? lat.getRow(index).dup() : lat.get(NDArrayIndex.interval(index, index + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup();
                ws = ws.castTo(DataType.FLOAT);
            }
            if (ws.size(ws.rank() - 1) != wDim || (ws.rank() == 3 && ws.size(1) != numWs))
                throw Cli.usage(spec, "latent shape " + Arrays.toString(ws.shape()) + " does not fit the model (num_ws " + numWs + ", w_dim " + wDim + ")");
            if (d.wDim() != wDim) throw Cli.usage(spec, "--direction: w_dim " + d.wDim() + " does not match the model's " + wDim);
            if (d.start() >= numWs) throw Cli.usage(spec, "--direction: starts at W+ row " + d.start() + " but the model has " + numWs);
            INDArray imgs = Edits.strip(g, ws, d, strengths, noiseMode, noiseSeed, deltas);
            Files.createDirectories(out);
            for (int i = 0; i < strengths.length; i++) {
                INDArray img = imgs.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
                Images.writePng(img, out.resolve(String.format("edit_%02d.png", i)));
            }
            Images.writeGridPng(imgs, strengths.length, out.resolve("strip.png"));
            stdout.println("direction " + d.name() + " (" + d.provenance().method() + ", " + d.space().label() + ")"
                    + (deltas.isEmpty() ? "" : ", with " + deltas.size() + " weight offsets"));
            for (int i = 0; i < strengths.length; i++) stdout.printf(Locale.ROOT, "edit_%02d.png  strength %s%n", i, fmt(strengths[i]));
            stdout.println("wrote " + strengths.length + " images and strip.png to " + out);
            stdout.flush();
        }
        return 0;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** {@code a:b:n} (n evenly spaced values from a to b, both included), a comma list, or one number. */
    static double[] parseStrengths(String s) {
        String t = s.trim();
        double[] v;
        if (t.contains(":")) {
            String[] p = t.split(":");
            if (p.length != 3) throw new IllegalArgumentException("expected A:B:N, got '" + s + "'");
            double a, b;
            int n;
            try {
                a = Double.parseDouble(p[0].trim());
                b = Double.parseDouble(p[1].trim());
                n = Integer.parseInt(p[2].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected A:B:N with numbers and an integer count, got '" + s + "'");
            }
            if (n < 1) throw new IllegalArgumentException("count must be >= 1, got " + n);
            v = new double[n];
            for (int i = 0; i < n; i++) v[i] = n == 1 ? a : (i == n - 1 ? b : a + (b - a) * i / (n - 1));
        } else {
            String[] p = t.split(",");
            v = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                try {
                    v[i] = Double.parseDouble(p[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + p[i].trim() + "' is not a number (expected A:B:N or a comma list)");
                }
            }
        }
        for (double x : v) if (!Double.isFinite(x)) throw new IllegalArgumentException("strengths must be finite, got '" + s + "'");
        return v;
    }
}
