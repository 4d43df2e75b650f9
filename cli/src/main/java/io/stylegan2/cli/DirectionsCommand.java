package io.stylegan2.cli;

import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.DirectionSet;
import io.stylegan2.inversion.editing.GanSpace;
import io.stylegan2.inversion.editing.InterFaceGan;
import io.stylegan2.inversion.editing.Labels;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.inversion.editing.SeFa;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code directions}: computes latent editing directions (GANSpace, SeFa, InterFaceGAN) and saves
 * them as one direction file ({@link DirectionSet}, safetensors, atomic write).
 */
@Command(name = "directions", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compute latent editing directions (GANSpace PCA, SeFa, InterFaceGAN) and save them to a direction file.")
final class DirectionsCommand implements Callable<Integer> {
    enum Method { ganspace, sefa, interfacegan }

    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Option(names = "--method", required = true, paramLabel = "ganspace|sefa|interfacegan", description = "how to find directions")
    Method method;

    @Option(names = "--num", defaultValue = "10", paramLabel = "K", description = "number of directions (ganspace, sefa; default: ${DEFAULT-VALUE})")
    int num;

    @Option(names = "--samples", defaultValue = "10000", paramLabel = "N", description = "ganspace: sampled w (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", defaultValue = "0", description = "ganspace: seed of the sampled z (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--layers", defaultValue = "all", paramLabel = "RANGE",
            description = "W+ rows the directions edit (and, for sefa, whose affine weights are factorised): all, coarse, middle, fine, a row, or a-b inclusive (default: ${DEFAULT-VALUE})")
    String layers;

    @Option(names = "--include-torgb", description = "sefa: also factorise the ToRGB affine weights of the rows (default: convs only, plus the final ToRGB, as the official code)")
    boolean includeToRgb;

    @Option(names = "--w", paramLabel = "FILE.npy", description = "interfacegan: latents [N, w_dim] (W direction) or [N, num_ws, w_dim] (W+ direction)")
    Path w;

    @Option(names = "--labels", paramLabel = "FILE.csv", description = "interfacegan: index,label or name,score lines (see inversion/EDITING.md)")
    Path labels;

    @Option(names = "--ratio", defaultValue = "0.5", description = "interfacegan: for scores, fraction taken as positive and as negative (default: ${DEFAULT-VALUE})")
    double ratio;

    @Option(names = "--name", defaultValue = "boundary", description = "interfacegan: direction name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--lambda", defaultValue = "1e-3", description = "interfacegan: L2 weight of the logistic regression (default: ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--iterations", defaultValue = "1000", description = "interfacegan: gradient steps (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--append", description = "add to an existing direction file instead of replacing it (names must stay unique)")
    boolean append;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "direction file to write (.safetensors)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (num < 1) throw Cli.usage(spec, "--num must be >= 1, got " + num);
        model.check();
        if (method == Method.interfacegan) {
            if (w == null || labels == null) throw Cli.usage(spec, "--method interfacegan needs --w FILE.npy and --labels FILE.csv");
            Cli.requireReadableFile(spec, w, "--w");
            Cli.requireReadableFile(spec, labels, "--labels");
            if (!(ratio > 0 && ratio <= 0.5)) throw Cli.usage(spec, "--ratio must be in (0, 0.5], got " + ratio);
            if (!(lambda >= 0) || iterations < 1) throw Cli.usage(spec, "--lambda must be >= 0 and --iterations >= 1");
        } else if (w != null || labels != null) {
            throw Cli.usage(spec, "--w and --labels are for --method interfacegan");
        }
        if (method == Method.ganspace && samples < 2) throw Cli.usage(spec, "--samples must be >= 2, got " + samples);
        if (Files.isDirectory(out)) throw Cli.usage(spec, "--out: is a folder: " + out);
        if (append) Cli.requireReadableFile(spec, out, "--out (with --append)");

        PrintWriter stdout = spec.commandLine().getOut();
        List<Direction> found;
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            int numWs = g.config().numWs();
            LayerRange rows;
            try {
                rows = LayerRange.parse(layers, numWs);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, "--layers: " + e.getMessage());
            }
            if (num > g.config().wDim()) throw Cli.usage(spec, "--num " + num + " exceeds w_dim " + g.config().wDim());
            switch (method) {
                case ganspace -> found = GanSpace.compute(g, num, samples, seed, rows).directions();
                case sefa -> found = SeFa.compute(g, num, rows, includeToRgb);
                default -> {
                    INDArray lat = Npy.read(w);
                    try {
                        WPlus.batch(lat, g.config(), "--w " + w);   // the shape check; W or W+ decides the direction's space
                    } catch (IllegalArgumentException e) {
                        throw Cli.usage(spec, e.getMessage());
                    }
                    if (lat.size(0) < 2) throw Cli.usage(spec, "--w " + w + ": needs at least 2 latents, got " + Arrays.toString(lat.shape()));
                    int[] y;
                    try {
                        y = Labels.read(labels, (int) lat.size(0), ratio);
                    } catch (IOException e) {
                        throw Cli.usage(spec, "--labels: " + e.getMessage());
                    }
                    InterFaceGan.Result r = InterFaceGan.fit(name, lat, y, new InterFaceGan.Options(lambda, iterations));
                    Direction d = r.direction();
                    if (d.space() == LatentSpace.W) d = d.withRange(rows.start(), rows.end());
                    found = List.of(d);
                    stdout.printf("interfacegan: %d labelled latents, training accuracy %.4f%n", r.used(), r.trainAccuracy());
                }
            }
        }
        List<Direction> all = new ArrayList<>();
        if (append) all.addAll(DirectionSet.load(out).directions());
        all.addAll(found);
        DirectionSet set;
        try {
            set = new DirectionSet(all);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--append: " + e.getMessage());
        }
        set.save(out);
        for (Direction d : found) {
            Map<String, Object> p = d.provenance().params();
            StringBuilder line = new StringBuilder(String.format("%-10s %s rows %d-%s", d.name(), d.space().label(), d.start(),
                    d.end().isEmpty() ? "last" : String.valueOf(d.end().getAsInt() - 1)));
            if (p.containsKey("eigenvalue")) line.append(String.format("  eigenvalue %.6g", ((Number) p.get("eigenvalue")).doubleValue()));
            if (p.containsKey("stdev")) line.append(String.format("  stdev %.6g", ((Number) p.get("stdev")).doubleValue()));
            if (p.containsKey("explained_variance")) line.append(String.format("  explained %.2f%%", 100 * ((Number) p.get("explained_variance")).doubleValue()));
            stdout.println(line);
        }
        stdout.println("wrote " + found.size() + " direction" + (found.size() == 1 ? "" : "s") + " (" + set.size() + " in the file) to " + out);
        stdout.flush();
        return 0;
    }

}
