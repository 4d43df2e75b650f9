package io.stylegan2.cli;

import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.DirectionSet;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code edit}: renders one latent edited along a saved direction at several strengths: a strip
 * ({@code strip.png}, one column per strength, labelled with it, small models upscaled to 128 px)
 * and {@code edit_NN.png} per strength.
 *
 * <p>An inversion result ({@code RESULT} / {@code --result}, read by {@link InversionResults#load},
 * either format) is edited as its whole {@link Reconstruction}: its hook values, weight offsets and
 * noise stay, only the latent moves ({@link Edits#strip}, with the method's renderer), so strength 0 redraws the saved
 * {@code reconstruction.png} exactly. {@code --noise-mode} given explicitly replaces the noise of
 * every layer; {@code --no-offsets} drops the weight offsets. A raw latent ({@code --w}) renders
 * with the plain generator, const noise unless {@code --noise-mode} says otherwise.
 */
@Command(name = "edit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Edit a latent along a direction and render a strip of images.",
                "An inversion result keeps its own noise (e.g. the w method's optimised noise maps) and weight offsets, "
                        + "so strength 0 redraws its reconstruction.png; --noise-mode replaces the noise of every layer."})
final class EditCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    static final class Inputs {
        @Option(names = "--w", paramLabel = "FILE.npy", description = "latents [N, w_dim] or [N, num_ws, w_dim]; --index picks the row")
        Path w;
        @Option(names = "--result", paramLabel = "FILE", description = "inversion result (result.safetensors written by invert)")
        Path result;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Inputs inputs;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RESULT", description = "inversion result file (the same as --result)")
    Path resultArg;

    @Option(names = "--index", defaultValue = "0", description = "row of --w to edit (default: ${DEFAULT-VALUE})")
    int index;

    @Option(names = "--direction", required = true, paramLabel = "FILE[:NAME|INDEX]", description = "direction file, optionally with the direction's name or index (default: the first)")
    String direction;

    @Option(names = "--strength", defaultValue = "-3:3:7", paramLabel = "A:B:N|LIST",
            description = "strengths: A:B:N (N values from A to B) or a comma list (default: ${DEFAULT-VALUE}); use --strength=-2,2 for lists starting with '-'")
    String strength;

    @Mixin NoiseOptions noise;

    @Option(names = "--no-offsets", description = "ignore the weight offsets of an inversion result and render with the plain generator")
    boolean noOffsets;

    @Mixin OutputOption output;

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
        model.check();
        if (inputs.w != null) Cli.requireReadableFile(spec, inputs.w, "--w");
        if (inputs.result != null) Cli.requireReadableFile(spec, inputs.result, "--result");
        Path out = output.check();
        Direction d = Cli.direction(spec, direction);
        PrintWriter stdout = spec.commandLine().getOut();
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            int numWs = g.config().numWs(), wDim = g.config().wDim();
            if (d.wDim() != wDim) throw Cli.usage(spec, "--direction: w_dim " + d.wDim() + " does not match the model's " + wDim);
            if (d.start() >= numWs) throw Cli.usage(spec, "--direction: starts at W+ row " + d.start() + " but the model has " + numWs);
            INDArray imgs;
            String source;
            if (inputs.result != null) {
                InversionResult result = InversionResults.load(inputs.result);
                Reconstruction r = reconstruction(result, g);
                NoiseMode mode = noise.given() ? noise.mode : null;
                imgs = mode == null ? Edits.strip(g, result.method(), r, d, strengths) : Edits.strip(g, result.method(), r, d, strengths, mode, noise.seed);
                source = (r.weightOffsets().isEmpty() ? "" : "with " + r.weightOffsets().size() + " weight offsets, ")
                        + "noise: " + (mode == null ? describe(r.hooks()) : describe(mode) + " for every layer");
            } else {
                NoiseMode mode = noise.modeOr(NoiseMode.CONST);
                imgs = Edits.strip(g, latentRow(g), d, strengths, mode, noise.seed);
                source = "noise: " + describe(mode);
            }
            Files.createDirectories(out);
            for (int i = 0; i < strengths.length; i++) {
                INDArray img = imgs.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
                Images.writePng(img, out.resolve(String.format("edit_%02d.png", i)));
            }
            java.util.List<INDArray> panels = new java.util.ArrayList<>();
            java.util.List<String> labels = new java.util.ArrayList<>();
            for (int i = 0; i < strengths.length; i++) {
                panels.add(imgs.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
                labels.add("strength " + fmt(strengths[i]));
            }
            io.stylegan2.core.io.Figures.writeLabelledRow(panels, labels, "direction " + d.name() + " (" + d.provenance().method() + ")", 128, out.resolve("strip.png"));
            stdout.println("direction " + d.name() + " (" + d.provenance().method() + ", " + d.space().label() + "), " + source);
            for (int i = 0; i < strengths.length; i++) stdout.printf(Locale.ROOT, "edit_%02d.png  strength %s%n", i, fmt(strengths[i]));
            stdout.println("wrote " + strengths.length + " images and strip.png to " + out);
            stdout.flush();
        }
        return 0;
    }

    /** The result's reconstruction (without its weight offsets with {@code --no-offsets}), checked against the model. */
    private Reconstruction reconstruction(InversionResult result, Generator g) {
        Reconstruction r = result.reconstruction();
        if (noOffsets) r = new Reconstruction(r.latent(), r.hooks(), Map.of(), r.extras());
        try {
            return r.requireFits(g);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--result " + inputs.result + ": " + e.getMessage());
        }
    }

    /** Row {@code --index} of {@code --w}: {@code [w_dim]} (a W latent) or {@code [1, num_ws, w_dim]}. */
    private INDArray latentRow(Generator g) throws java.io.IOException {
        INDArray lat = Npy.read(inputs.w).castTo(DataType.FLOAT);
        try {
            WPlus.batch(lat, g.config(), "--w " + inputs.w);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
        if (index < 0 || index >= lat.size(0)) throw Cli.usage(spec, "--index " + index + " out of range: --w has " + lat.size(0) + " rows");
        return lat.rank() == 2 ? lat.getRow(index).dup() : lat.get(NDArrayIndex.interval(index, index + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup();
    }

    private static String describe(NoiseMode m) {
        return m.name().toLowerCase(Locale.ROOT);
    }

    /** The noise a reconstruction renders with, e.g. {@code the result's own (7 maps, const for layers without one)}. */
    private static String describe(HookState h) {
        return "the result's own (" + (h.noise().isEmpty() ? describe(h.noiseMode())
                : h.noise().size() + " maps, " + describe(h.noiseMode()) + " for layers without one") + ")";
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
