package io.stylegan2.training.eval;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.MemoryPolicy;
import io.stylegan2.core.Progress;
import io.stylegan2.core.Seeds;
import io.stylegan2.metrics.FeatureExtractor;
import io.stylegan2.metrics.FeatureStatistics;
import io.stylegan2.metrics.FrechetDistance;
import io.stylegan2.metrics.Kid;
import io.stylegan2.metrics.PrecisionRecall;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.training.data.ImageDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Distribution metrics of a generator against real images, in one feature space: Frechet
 * distance, kernel distance (KID's estimator) and k-NN precision/recall, the protocol of
 * stylegan2-ada-pytorch's {@code metrics/}: {@code z ~ N(0, I)}, truncation 1, random noise, images
 * quantised to 8 bits like the real ones before feature extraction. With a dataset-specific
 * classifier (no Inception weights here) the values are "FD-&lt;classifier&gt;" etc., comparable
 * between generators evaluated against the same real set with the same counts, never with
 * published FIDs.
 *
 * <p><b>Thread safety:</b> Stateless; the methods are as thread-safe as the {@code Generator} and
 * {@code FeatureExtractor} passed in (this library's {@code Generator} and {@link Classifier}
 * serialise their calls). {@link Options} and {@link Report} are immutable.
 */
public final class GeneratorEvaluation {
    private GeneratorEvaluation() {}

    /**
     * @param numGenerated  images to generate
     * @param truncationPsi 1 for the metrics' protocol
     * @param noiseMode     {@code RANDOM} for the metrics' protocol
     * @param seed          latent and noise seed (each batch draws from {@code Seeds.mix(seed, batch)})
     * @param batch         images per generator call
     */
    public record Options(int numGenerated, double truncationPsi, NoiseMode noiseMode, long seed, int batch) {
        public Options {
            if (numGenerated < 2) throw new IllegalArgumentException("evaluation: need at least 2 generated images, got " + numGenerated);
            if (batch < 1) throw new IllegalArgumentException("evaluation: batch must be >= 1, got " + batch);
        }

        public static Options defaults(int numGenerated, long seed) {
            return new Options(numGenerated, 1.0, NoiseMode.RANDOM, seed, 100);
        }
    }

    /** One evaluation: the metrics' names carry the feature space. */
    public record Report(FrechetDistance.Result fd, Kid.Result kd, PrecisionRecall.Result pr, long seed) {}

    /** Features of the first {@code limit} images of a dataset (no flips). */
    public static INDArray realFeatures(FeatureExtractor fx, ImageDataset data, int limit, int batch, Progress progress) {
        int n = Math.min(limit, data.size()), per = data.channels() * data.resolution() * data.resolution();
        INDArray out = Nd4j.create(DataType.FLOAT, n, fx.featureDim());
        progress.start("features of " + n + " real images", n);
        try {
            for (int from = 0; from < n; from += batch) {
                int b = Math.min(batch, n - from);
                float[] v = new float[b * per];
                for (int j = 0; j < b; j++) data.copyTo(from + j, false, v, j * per);
                INDArray f = fx.features(Nd4j.create(v, new long[]{b, data.channels(), data.resolution(), data.resolution()}, DataType.FLOAT));
                out.get(NDArrayIndex.interval(from, from + b), NDArrayIndex.all()).assign(f);
                progress.update(from + b, Map.of());
            }
        } finally {
            progress.end();
        }
        return out;
    }

    /** Features of {@code o.numGenerated()} generated images. */
    public static INDArray generatedFeatures(Generator g, FeatureExtractor fx, Options o, Progress progress, CancellationToken cancel) {
        INDArray out = Nd4j.create(DataType.FLOAT, o.numGenerated(), fx.featureDim());
        forEachBatch(g, o, "features of", progress, cancel, (img, from) ->
                out.get(NDArrayIndex.interval(from, from + img.size(0)), NDArrayIndex.all()).assign(fx.features(img)));
        return out;
    }

    /**
     * How many images the classifier assigns to each class (arg-max of its logits), from their
     * penultimate features ({@link #generatedFeatures} with the same classifier): a generator that
     * covers the data has every class near its share. No second pass over the generator.
     */
    public static long[] classHistogram(Classifier clf, INDArray features) {
        long[] counts = new long[clf.classes()];
        INDArray pred = clf.logitsOfFeatures(features).argMax(1);
        for (int j = 0; j < pred.length(); j++) counts[pred.getInt(j)]++;
        return counts;
    }

    /** The generated images of {@code o}, 8-bit quantised, batch by batch (each batch from {@code Seeds.mix(seed, batch)}). */
    private static void forEachBatch(Generator g, Options o, String what, Progress progress, CancellationToken cancel,
                                     java.util.function.ObjLongConsumer<INDArray> action) {
        progress.start(what + " " + o.numGenerated() + " generated images", o.numGenerated());
        try {
            for (int from = 0, i = 0; from < o.numGenerated(); from += o.batch(), i++) {
                if (cancel.isCancelled()) throw new CancellationException("evaluation cancelled after " + from + " images");
                int b = Math.min(o.batch(), o.numGenerated() - from);
                long s = Seeds.mix(o.seed(), i);
                INDArray img = g.synthesis(g.sampleWs(b, s, o.truncationPsi()), o.noiseMode(), s ^ 0x5DEECE66DL);
                action.accept(quantise(img), from);
                MemoryPolicy.step();
                progress.update(from + b, Map.of());
            }
        } finally {
            progress.end();
        }
    }

    /** {@code [-1, 1]} images through 8 bits as NVlabs' metrics do ({@code (x * 127.5 + 128).clamp(0, 255)} truncated), back to [-1, 1]. */
    static INDArray quantise(INDArray img) {
        INDArray b = Transforms.floor(Transforms.min(Transforms.max(img.castTo(DataType.FLOAT).mul(127.5).addi(128), 0.0, false), 255.0, false), false);
        return b.divi(127.5).subi(1.0);
    }

    /** All metrics between real and generated features (KD subsets and nothing else drawn from {@code seed}). */
    public static Report compare(String extractor, INDArray real, INDArray generated, long seed) {
        FrechetDistance.Result fd = FrechetDistance.compute(FeatureStatistics.of(extractor, real), FeatureStatistics.of(extractor, generated));
        Kid.Result kd = Kid.compute(extractor, real, generated, seed);
        PrecisionRecall.Result pr = PrecisionRecall.compute(extractor, real, generated, PrecisionRecall.DEFAULT_K);
        return new Report(fd, kd, pr, seed);
    }
}
