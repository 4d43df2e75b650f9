package io.stylegan2.training.eval;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Plumbing of the generator metrics (their numerics are tested in the metrics module against NVlabs/scipy). */
class GeneratorEvaluationTest {

    @Test
    void quantisesLikeNvlabs() {
        INDArray x = Nd4j.createFromArray(new float[]{-1.5f, -1f, -0.0039f, 0f, 0.5f, 0.99f, 1f, 2f});
        INDArray q = GeneratorEvaluation.quantise(x);
        // (x * 127.5 + 128).clamp(0, 255) truncated to uint8, then / 127.5 - 1
        int[] bytes = {0, 0, 127, 128, 191, 254, 255, 255};
        for (int i = 0; i < bytes.length; i++) assertEquals(bytes[i] / 127.5 - 1, q.getDouble(i), 1e-6, "x = " + x.getDouble(i));
    }

    @Test
    void generatedFeaturesAreSeededAndComparedInOneSpace() {
        GeneratorConfig cfg = new GeneratorConfig(8, 8, 2, 0.01, 8, 3, Map.of(4, 8, 8, 8), null, null, "skip");
        try (Generator g = Generator.random(cfg, 1)) {
            Classifier clf = Classifier.random("t", 8, 1, 3, 2, 0);
            GeneratorEvaluation.Options o = new GeneratorEvaluation.Options(10, 1.0, NoiseMode.RANDOM, 4, 3);
            INDArray a = GeneratorEvaluation.generatedFeatures(g, clf, o, Progress.NONE, CancellationToken.NONE);
            INDArray b = GeneratorEvaluation.generatedFeatures(g, clf, o, Progress.NONE, CancellationToken.NONE);
            INDArray c = GeneratorEvaluation.generatedFeatures(g, clf, new GeneratorEvaluation.Options(10, 1.0, NoiseMode.RANDOM, 5, 3), Progress.NONE, CancellationToken.NONE);
            assertArrayEquals(new long[]{10, Classifier.FEATURES}, a.shape());
            assertEquals(a, b);
            assertNotEquals(a, c);
            GeneratorEvaluation.Report r = GeneratorEvaluation.compare(clf.name(), a, c, 0);
            assertEquals("FD-t", r.fd().metric());
            assertEquals("KD-t", r.kd().metric());
            assertTrue(r.fd().value() >= 0);
            GeneratorEvaluation.Report self = GeneratorEvaluation.compare(clf.name(), a, a.dup(), 0);
            // zero up to the rounding of the matrix square root, relative to the traces it cancels (tr S1 + tr S2)
            double traces = 2 * a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).var(false, 0).sumNumber().doubleValue();
            assertEquals(0, self.fd().value(), 1e-6 * Math.max(1, traces));
            assertEquals(1.0, self.pr().precision());
            CancellationToken cancelled = new CancellationToken();
            cancelled.cancel();
            assertThrows(java.util.concurrent.CancellationException.class, () -> GeneratorEvaluation.generatedFeatures(g, clf, o, Progress.NONE, cancelled));
        }
        assertThrows(IllegalArgumentException.class, () -> new GeneratorEvaluation.Options(1, 1, NoiseMode.RANDOM, 0, 1));
    }
}
