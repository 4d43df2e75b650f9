package io.stylegan2.training.eval;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.Idx;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.core.optim.Schedule;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.training.data.ImageDataset;
import io.stylegan2.core.SampleOrder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Trains a {@link Classifier} on labelled images with the shared {@link OptimisationLoop}: softmax
 * cross-entropy, Adam with a cosine learning-rate decay, mini-batches in a seeded order with random
 * x-flips; then measures the accuracy on a held-out set and records it in the classifier.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (each training
 * builds its own graph and optimiser). {@link Options} is immutable.
 */
public final class ClassifierTraining {
    private ClassifierTraining() {}

    /**
     * @param epochs passes over the training set
     * @param batch  images per step
     * @param lr     peak Adam learning rate (cosine decay to 0)
     * @param width  the classifier's stem width
     * @param seed   initial weights and sample order
     */
    public record Options(int epochs, int batch, double lr, int width, long seed) {
        public Options {
            if (epochs < 1 || batch < 1 || !(lr > 0) || width < 1) throw new IllegalArgumentException("invalid classifier training options");
        }

        /** 3 epochs, batch 64, lr 1e-3, width 32, seed 0. */
        public static Options defaults() {
            return new Options(3, 64, 1e-3, 32, 0);
        }
    }

    /** Labels of an IDX label file ({@code [N]} unsigned bytes). */
    public static int[] labels(Path idxFile, int limit) throws IOException {
        Idx.UByteArray a = Idx.read(idxFile);
        if (a.shape().length != 1) throw new IOException(idxFile + ": IDX labels must be [N], got " + java.util.Arrays.toString(a.shape()));
        int n = limit > 0 ? Math.min(limit, a.count()) : a.count();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) y[i] = a.get(i);
        return y;
    }

    /**
     * The IDX label file beside IDX images: {@code X-images-idx3-ubyte[.gz]} to
     * {@code X-labels-idx1-ubyte[.gz]}; for a folder, its {@code train-labels-idx1-ubyte[.gz]}.
     */
    public static Optional<Path> labelFileFor(Path images) {
        Path dir = Files.isDirectory(images) ? images : images.toAbsolutePath().getParent();
        String stem = Files.isDirectory(images) ? "train" : images.getFileName().toString().replaceFirst("-images-idx3-ubyte(\\.gz)?$", "");
        if (!Files.isDirectory(images) && stem.equals(images.getFileName().toString())) return Optional.empty();
        for (String suffix : new String[]{"-labels-idx1-ubyte.gz", "-labels-idx1-ubyte"}) {
            Path f = dir.resolve(stem + suffix);
            if (Files.isRegularFile(f)) return Optional.of(f);
        }
        return Optional.empty();
    }

    /** Trains and evaluates; the returned classifier's {@link Classifier#info()} holds the test accuracy. */
    public static Classifier train(String name, ImageDataset train, int[] trainLabels, ImageDataset test, int[] testLabels, int classes,
                                   Options o, Progress progress, CancellationToken cancel) {
        if (trainLabels.length != train.size()) throw new IllegalArgumentException(train.size() + " training images but " + trainLabels.length + " labels");
        if (testLabels.length != test.size()) throw new IllegalArgumentException(test.size() + " test images but " + testLabels.length + " labels");
        for (int y : trainLabels) if (y < 0 || y >= classes) throw new IllegalArgumentException("label " + y + " outside [0, " + classes + ")");
        int r = train.resolution(), c = train.channels();
        Classifier init = Classifier.random(name, r, c, classes, o.width(), o.seed());

        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new LinkedHashMap<>();
        init.params().forEach((k, v) -> vars.put(k, sd.var("p/" + k, v.dup())));
        SDVariable x = sd.placeHolder(Classifier.X, DataType.FLOAT, o.batch(), c, r, r);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, o.batch(), classes);
        SDVariable logits = init.build(x, vars::get)[1];
        SDVariable xent = sd.math().neg(sd.sum(y.mul(sd.nn().logSoftmax(logits)), 1)).mean();
        CompositeLoss loss = CompositeLoss.builder(sd).add("xent", 1.0, xent).build();
        Adam adam = new Adam(sd, vars.values().stream().map(SDVariable::name).toList(), 0.9, 0.999, 1e-8);

        SampleOrder order = new SampleOrder(train.size(), o.seed(), true);
        int per = c * r * r, steps = (int) ((long) o.epochs() * train.size() / o.batch());
        OptimisationLoop.graph(sd, loss, adam).task("train-classifier").steps(steps).schedule(new Schedule.Cosine(o.lr(), 0, steps))
                .feed(i -> {
                    float[] img = new float[o.batch() * per];
                    INDArray onehot = Nd4j.zeros(DataType.FLOAT, o.batch(), classes);
                    for (int j = 0; j < o.batch(); j++) {
                        long k = (long) i * o.batch() + j;
                        int item = order.item(k);
                        train.copyTo(item, order.flipped(k), img, j * per);
                        onehot.putScalar(j, trainLabels[item], 1f);
                    }
                    return Map.of(Classifier.X, Nd4j.create(img, new long[]{o.batch(), c, r, r}, DataType.FLOAT), "y", onehot);
                })
                .run(progress, cancel);

        Map<String, INDArray> trained = new LinkedHashMap<>();
        vars.forEach((k, v) -> trained.put(k, v.getArr().dup()));
        Classifier clf = new Classifier(name, r, c, classes, o.width(), trained, Map.of());
        double acc = accuracy(clf, test, testLabels);
        Map<String, String> info = new LinkedHashMap<>();
        info.put("test_accuracy", String.format(Locale.ROOT, "%.4f", acc));
        info.put("test_images", Integer.toString(test.size()));
        info.put("epochs", Integer.toString(o.epochs()));
        info.put("trained_on", train.source() + " (" + train.size() + " images)");
        return new Classifier(name, r, c, classes, o.width(), trained, info);
    }

    /** Fraction of {@code data} whose arg-max logit is its label. */
    public static double accuracy(Classifier clf, ImageDataset data, int[] labels) {
        int per = data.channels() * data.resolution() * data.resolution(), right = 0;
        for (int from = 0; from < data.size(); from += 256) {
            int n = Math.min(256, data.size() - from);
            float[] v = new float[n * per];
            for (int j = 0; j < n; j++) data.copyTo(from + j, false, v, j * per);
            INDArray pred = clf.logits(Nd4j.create(v, new long[]{n, data.channels(), data.resolution(), data.resolution()}, DataType.FLOAT)).argMax(1);
            for (int j = 0; j < n; j++) if (pred.getInt(j) == labels[from + j]) right++;
        }
        return (double) right / data.size();
    }

    /** The images of a dataset as one array {@code [N, C, R, R]} (N at most {@code limit}). */
    public static INDArray images(ImageDataset data, int limit) {
        int n = Math.min(limit, data.size()), per = data.channels() * data.resolution() * data.resolution();
        float[] v = new float[n * per];
        for (int j = 0; j < n; j++) data.copyTo(j, false, v, j * per);
        return Nd4j.create(v, new long[]{n, data.channels(), data.resolution(), data.resolution()}, DataType.FLOAT);
    }
}
