package io.stylegan2.cli;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.training.data.ImageDataset;
import io.stylegan2.training.eval.Classifier;
import io.stylegan2.training.eval.ClassifierTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code train-classifier}: trains the small CNN whose features give the Frechet distance,
 * kernel distance and precision/recall of {@code evaluate} on a dataset without Inception weights.
 */
@Command(name = "train-classifier", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the feature classifier used by 'evaluate' (FD/KD/precision/recall in its feature space) on labelled IDX images.",
                "Labels default to the IDX label file beside the images (train-images-idx3-ubyte.gz -> train-labels-idx1-ubyte.gz)."})
final class TrainClassifierCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "training images (IDX file or folder with train-images-idx3-ubyte.gz)")
    Path data;
    @Option(names = "--labels", paramLabel = "FILE", description = "IDX labels of --data (default: beside the images)")
    Path labels;
    @Option(names = "--test-data", required = true, paramLabel = "PATH", description = "held-out images for the accuracy (IDX file)")
    Path testData;
    @Option(names = "--test-labels", paramLabel = "FILE", description = "IDX labels of --test-data (default: beside the images)")
    Path testLabels;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "classifier file to write (.safetensors)")
    Path out;
    @Option(names = "--name", defaultValue = "fmnist", description = "feature-space name carried by every metric (default: ${DEFAULT-VALUE})")
    String name;
    @Option(names = "--resolution", defaultValue = "32") int resolution;
    @Option(names = "--channels", defaultValue = "1") int channels;
    @Option(names = "--fit", defaultValue = "pad", paramLabel = "resize|pad") ImageDataset.Fit fit;
    @Option(names = "--classes", defaultValue = "10") int classes;
    @Option(names = "--epochs", defaultValue = "3") int epochs;
    @Option(names = "--batch", defaultValue = "64") int batch;
    @Option(names = "--lr", defaultValue = "0.001") double lr;
    @Option(names = "--width", defaultValue = "32", description = "stem channels (default: ${DEFAULT-VALUE})") int width;
    @Option(names = "--limit", defaultValue = "0", description = "use at most N training images (0 = all)") int limit;
    @Option(names = "--seed", defaultValue = "0") long seed;

    @Override
    public Integer call() throws Exception {
        ClassifierTraining.Options o;
        try {
            o = new ClassifierTraining.Options(epochs, batch, lr, width, seed);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
        if (Files.isDirectory(out)) throw Cli.usage(spec, "--out is a folder, expected a file: " + out);
        Path trainLabels = labelsOf(data, labels, "--labels");
        Path heldOutLabels = labelsOf(testData, testLabels, "--test-labels");
        ImageDataset train = ImageDataset.load(data, resolution, channels, fit, limit);
        ImageDataset test = ImageDataset.load(testData, resolution, channels, fit, 0);
        Classifier c = ClassifierTraining.train(name, train, ClassifierTraining.labels(trainLabels, train.size()), test,
                ClassifierTraining.labels(heldOutLabels, test.size()), classes, o, ProgressBar.forConsole(spec.commandLine().getErr()), new CancellationToken());
        c.save(out);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "classifier '%s' (%d features): test accuracy %s on %s images; written to %s%n", name, Classifier.FEATURES,
                c.info().get("test_accuracy"), c.info().get("test_images"), out);
        w.flush();
        return 0;
    }

    private Path labelsOf(Path images, Path given, String option) {
        if (given != null) {
            Cli.requireReadableFile(spec, given, option);
            return given;
        }
        return ClassifierTraining.labelFileFor(images).orElseThrow(() -> Cli.usage(spec, "no IDX label file beside " + images + "; give " + option));
    }
}
