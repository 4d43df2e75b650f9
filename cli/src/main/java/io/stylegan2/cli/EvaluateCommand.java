package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.training.data.ImageDataset;
import io.stylegan2.training.eval.Classifier;
import io.stylegan2.training.eval.GeneratorEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code evaluate}: distribution metrics of a generator against real images in a classifier's
 * feature space (Frechet distance, kernel distance, k-NN precision/recall), once per seed so that
 * the spread over generated sets is visible, and how many generated images the classifier puts in
 * each class (does the generator cover every class?).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"FD, KD and precision/recall (k = 3) of a generator against real images, in a trained classifier's feature space.",
                "Values are named FD-<classifier> etc.: comparable between models evaluated the same way, not with published FIDs.",
                "Also prints how many generated images the classifier assigns to each class."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Option(names = "--classifier", paramLabel = "FILE", description = "feature classifier from train-classifier (default: the embedded Fashion-MNIST one)")
    Path classifier;
    @Option(names = "--data", required = true, paramLabel = "PATH", description = "real images: folder, .zip or IDX (e.g. t10k-images-idx3-ubyte.gz)")
    Path data;
    @Option(names = "--fit", defaultValue = "pad", paramLabel = "resize|pad", description = "bring real images to the classifier's resolution (default: ${DEFAULT-VALUE})")
    ImageDataset.Fit fit;
    @Option(names = "--num-real", defaultValue = "10000", description = "real images to use (default: ${DEFAULT-VALUE})") int numReal;
    @Option(names = "--num", defaultValue = "10000", description = "generated images per seed (default: ${DEFAULT-VALUE})") int num;
    @Option(names = "--seeds", defaultValue = "0", converter = Cli.SeedListConverter.class, description = "one evaluation per seed, e.g. 0-2 (default: ${DEFAULT-VALUE})")
    Cli.SeedList seeds;
    @Option(names = "--trunc", defaultValue = "1", description = "truncation psi (default: ${DEFAULT-VALUE}, the metrics' protocol)") double psi;
    @Option(names = "--noise-mode", defaultValue = "random", description = "const|random|none (default: ${DEFAULT-VALUE}, the metrics' protocol)") String noiseMode;
    @Option(names = "--baseline", paramLabel = "PATH",
            description = "also score real images (e.g. the training split) against --data, --num of them: the floor a perfect generator would reach")
    Path baseline;
    @Option(names = "--json", description = "print JSON") boolean json;

    @Override
    public Integer call() throws Exception {
        NoiseMode mode;
        try {
            mode = NoiseMode.parse(noiseMode);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--noise-mode: " + e.getMessage());
        }
        if (num < 4 || numReal < 4) throw Cli.usage(spec, "--num and --num-real must be at least 4 (precision/recall use k = 3)");
        model.check();
        Classifier clf = loadClassifier();
        Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
        ImageDataset real = ImageDataset.load(data, clf.resolution(), clf.channels(), fit, numReal);
        INDArray realF = GeneratorEvaluation.realFeatures(clf, real, numReal, 256, bar);
        GeneratorEvaluation.Report floor = null;
        if (baseline != null) {
            ImageDataset other = ImageDataset.load(baseline, clf.resolution(), clf.channels(), fit, num);
            floor = GeneratorEvaluation.compare(clf.name(), realF, GeneratorEvaluation.realFeatures(clf, other, num, 256, bar), 0);
        }
        List<GeneratorEvaluation.Report> reports = new ArrayList<>();
        List<long[]> classes = new ArrayList<>();
        try (ModelOption.Loaded m = model.load()) {
            Generator g = m.generator();
            if (g.config().imgResolution() != clf.resolution())
                throw Cli.usage(spec, "the model makes " + g.config().imgResolution() + "px images, the classifier takes " + clf.resolution() + "px");
            for (long s : seeds.seeds()) {
                GeneratorEvaluation.Options o = new GeneratorEvaluation.Options(num, psi, mode, s, 100);
                INDArray genF = GeneratorEvaluation.generatedFeatures(g, clf, o, bar, new CancellationToken());
                reports.add(GeneratorEvaluation.compare(clf.name(), realF, genF, s));
                classes.add(GeneratorEvaluation.classHistogram(clf, genF));
            }
        }
        print(reports, classes, floor, real, clf);
        return 0;
    }

    private Classifier loadClassifier() throws java.io.IOException {
        if (classifier != null) {
            Cli.requireReadableFile(spec, classifier, "--classifier");
            return Classifier.load(classifier);
        }
        return Classifier.fashionMnist();
    }

    private void print(List<GeneratorEvaluation.Report> reports, List<long[]> classes, GeneratorEvaluation.Report floor, ImageDataset real, Classifier clf) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode().put("features", clf.name()).put("real", real.source()).put("num_real", real.size()).put("num_generated", num);
            ArrayNode a = root.putArray("seeds");
            for (int i = 0; i < reports.size(); i++) {
                ObjectNode o = a.addObject().put("seed", reports.get(i).seed());
                put(o, reports.get(i));
                ArrayNode h = o.putArray("classes");
                for (long c : classes.get(i)) h.add(c);
            }
            if (floor != null) put(root.putObject("baseline").put("data", baseline.toString()), floor);
            out.println(om.writeValueAsString(root));
        } else {
            String fd = reports.get(0).fd().metric(), kd = reports.get(0).kd().metric();
            out.printf(Locale.ROOT, "%d generated vs %d real (%s), features '%s'%n", num, real.size(), real.source(), clf.name());
            out.printf(Locale.ROOT, "%-6s %14s %14s %10s %8s%n", "seed", fd, kd, "precision", "recall");
            for (int i = 0; i < reports.size(); i++)
                out.println(row(Long.toString(reports.get(i).seed()), reports.get(i)) + "   classes " + java.util.Arrays.toString(classes.get(i)));
            if (floor != null) out.println(row("real", floor) + "   (baseline: " + baseline + ")");
            if (reports.size() > 1) {
                double[] f = reports.stream().mapToDouble(r -> r.fd().value()).toArray();
                double mean = java.util.Arrays.stream(f).average().orElse(0), sd = Math.sqrt(java.util.Arrays.stream(f).map(v -> (v - mean) * (v - mean)).sum() / (f.length - 1));
                out.printf(Locale.ROOT, "%s mean %.4f, std %.4f over %d seeds%n", fd, mean, sd, f.length);
            }
        }
        out.flush();
    }

    private static void put(ObjectNode o, GeneratorEvaluation.Report r) {
        o.put(r.fd().metric(), r.fd().value()).put(r.kd().metric(), r.kd().value()).put(r.kd().metric() + "_std", r.kd().std())
                .put("precision", r.pr().precision()).put("recall", r.pr().recall());
    }

    private static String row(String label, GeneratorEvaluation.Report r) {
        return String.format(Locale.ROOT, "%-6s %14.4f %14.6f %10.4f %8.4f", label, r.fd().value(), r.kd().value(), r.pr().precision(), r.pr().recall());
    }
}
