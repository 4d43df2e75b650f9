package io.stylegan2.training.eval;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.training.data.ImageDataset;
import io.stylegan2.training.data.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The feature classifier learns a separable task, round-trips through its file and names bad input. */
class ClassifierTest {

    /** 28x28 noise images; class 1 has a bright bottom half, class 0 a bright top half (x-flips keep the class). */
    static Path halves(Path file, int n, long seed, Path labelsFile) throws IOException {
        Random r = new Random(seed);
        byte[] img = new byte[n * 28 * 28], lab = new byte[n];
        for (int i = 0; i < n; i++) {
            lab[i] = (byte) r.nextInt(2);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) {
                    boolean bright = (y >= 14) == (lab[i] == 1);
                    img[(i * 28 + y) * 28 + x] = (byte) Math.min(255, (bright ? 120 : 20) + r.nextInt(100));
                }
        }
        TestImages.idx(labelsFile, new int[]{n}, lab);
        return TestImages.idx(file, new int[]{n, 28, 28}, img);
    }

    @Test
    void learnsASeparableTaskAndRoundTrips(@TempDir Path tmp) throws IOException {
        Path train = halves(tmp.resolve("train-images-idx3-ubyte"), 256, 1, tmp.resolve("train-labels-idx1-ubyte"));
        Path test = halves(tmp.resolve("t10k-images-idx3-ubyte"), 100, 2, tmp.resolve("t10k-labels-idx1-ubyte"));
        assertEquals(tmp.resolve("train-labels-idx1-ubyte"), ClassifierTraining.labelFileFor(tmp).orElseThrow());
        assertEquals(tmp.resolve("t10k-labels-idx1-ubyte"), ClassifierTraining.labelFileFor(test).orElseThrow());
        ImageDataset dTrain = ImageDataset.load(train, 8, 1, ImageDataset.Fit.RESIZE, 0), dTest = ImageDataset.load(test, 8, 1, ImageDataset.Fit.RESIZE, 0);
        int[] yTrain = ClassifierTraining.labels(ClassifierTraining.labelFileFor(tmp).orElseThrow(), 0);
        int[] yTest = ClassifierTraining.labels(tmp.resolve("t10k-labels-idx1-ubyte"), 0);
        Classifier untrained = Classifier.random("halves", 8, 1, 2, 4, 0);
        double before = ClassifierTraining.accuracy(untrained, dTest, yTest);
        Classifier c = ClassifierTraining.train("halves", dTrain, yTrain, dTest, yTest, 2, new ClassifierTraining.Options(4, 16, 3e-3, 4, 0),
                Progress.NONE, CancellationToken.NONE);
        double acc = Double.parseDouble(c.info().get("test_accuracy"));
        assertTrue(acc >= 0.95, "test accuracy " + acc + " (untrained " + before + ")");

        Path file = tmp.resolve("clf.safetensors");
        c.save(file);
        Classifier back = Classifier.load(file);
        INDArray x = ClassifierTraining.images(dTest, 10);
        INDArray f = c.features(x);
        assertArrayEquals(new long[]{10, Classifier.FEATURES}, f.shape());
        assertEquals(f, back.features(x));
        assertEquals(c.info().get("test_accuracy"), back.info().get("test_accuracy"));
        assertEquals(c.features(x.mean(true, 1)), c.features(Nd4j.concat(1, x, x, x)), "RGB input is averaged to gray");
    }

    /** The shipped classifier on real test images it never saw (its README accuracy is on all 10 000). */
    @Test
    void shippedClassifierRecognisesRealGarments() throws IOException {
        Classifier c = Classifier.fashionMnist();
        assertEquals("fmnist", c.name());
        int n = io.stylegan2.core.testing.FashionMnistSamples.COUNT, right = 0;
        INDArray x = Nd4j.concat(0, java.util.stream.IntStream.range(0, n).mapToObj(i -> io.stylegan2.core.testing.FashionMnistSamples.padded(i, 1)).toArray(INDArray[]::new));
        INDArray pred = c.logits(x).argMax(1);
        for (int i = 0; i < n; i++) if (pred.getInt(i) == io.stylegan2.core.testing.FashionMnistSamples.label(i)) right++;
        double acc = (double) right / n;
        assertTrue(acc >= 0.85, "accuracy " + acc + " on " + n + " test images");
        assertTrue(Double.parseDouble(c.info().get("test_accuracy")) >= 0.9, c.info().toString());
        // the head alone on the features gives the network's logits, so the class counts of evaluate
        // (GeneratorEvaluation.classHistogram, from features) are the counts of the whole network
        INDArray logits = c.logits(x), head = c.logitsOfFeatures(c.features(x));
        assertEquals(0, head.sub(logits).amaxNumber().doubleValue(), 1e-4 * Math.max(1, logits.amaxNumber().doubleValue()));
        long[] counts = io.stylegan2.training.eval.GeneratorEvaluation.classHistogram(c, c.features(x));
        long[] direct = new long[c.classes()];
        for (int i = 0; i < n; i++) direct[pred.getInt(i)]++;
        org.junit.jupiter.api.Assertions.assertArrayEquals(direct, counts);
        assertThrows(IllegalArgumentException.class, () -> c.logitsOfFeatures(Nd4j.zeros(DataType.FLOAT, 2, 10)));
    }

    @Test
    void badInputIsNamed(@TempDir Path tmp) throws IOException {
        Classifier c = Classifier.random("t", 8, 1, 3, 2, 0);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> c.features(Nd4j.zeros(DataType.FLOAT, 1, 1, 16, 16)));
        assertTrue(shape.getMessage().contains("[N, 1, 8, 8]"), shape.getMessage());
        Path notClf = Files.write(tmp.resolve("x.safetensors"), new byte[]{1, 2, 3});
        IOException e = assertThrows(IOException.class, () -> Classifier.load(notClf));
        assertTrue(e.getMessage().contains("x.safetensors"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Classifier.random("t", 12, 1, 3, 2, 0), "resolution must be a power of two");
        Path imgs = halves(tmp.resolve("a-images-idx3-ubyte"), 4, 0, tmp.resolve("a-labels-idx1-ubyte"));
        ImageDataset d = ImageDataset.load(imgs, 8, 1, ImageDataset.Fit.RESIZE, 0);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassifierTraining.train("t", d, new int[3], d, new int[4], 2,
                ClassifierTraining.Options.defaults(), Progress.NONE, CancellationToken.NONE)).getMessage().contains("labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassifierTraining.train("t", d, new int[]{0, 1, 5, 0}, d, new int[4], 2,
                ClassifierTraining.Options.defaults(), Progress.NONE, CancellationToken.NONE)).getMessage().contains("label 5"));
    }
}
