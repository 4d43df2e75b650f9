package io.stylegan2.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Npy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.*;

/** FID / KID against scipy/numpy (fixture made by src/test/python/fid_kid_reference.py). */
class FidKidReferenceTest {
    static JsonNode ref;

    @BeforeAll
    static void load() throws Exception {
        ref = new ObjectMapper().readTree(FidKidReferenceTest.class.getResourceAsStream("/metrics/fid_kid_reference.json"));
    }

    static INDArray npy(String name) throws Exception {
        return Npy.read(Paths.get(FidKidReferenceTest.class.getResource("/metrics/" + name).toURI()));
    }

    static int[][] ints(JsonNode n) {
        int[][] o = new int[n.size()][];
        for (int i = 0; i < o.length; i++) {
            o[i] = new int[n.get(i).size()];
            for (int j = 0; j < o[i].length; j++) o[i][j] = n.get(i).get(j).asInt();
        }
        return o;
    }

    @Test
    void fidAndKidMatchScipy() throws Exception {
        for (JsonNode c : ref.get("cases")) {
            String name = c.get("name").asText();
            INDArray x = npy("fidkid_" + name + "_x.npy"), y = npy("fidkid_" + name + "_y.npy");
            FrechetDistance.Result fd = FrechetDistance.compute(FeatureStatistics.of("test", x), FeatureStatistics.of("test", y));
            double eF = c.get("fid").asDouble();
            double relF = Math.abs(fd.value() - eF) / eF;
            Kid.Result kid = Kid.compute("test", x, y, ints(c.get("subset_x")), ints(c.get("subset_y")));
            double eK = c.get("kid").asDouble();
            double relK = Math.abs(kid.value() - eK) / Math.abs(eK);
            System.out.printf("%s: FD %.12f scipy %.12f rel %.2e | KID %.12f ref %.12f rel %.2e%n", name, fd.value(), eF, relF, kid.value(), eK, relK);
            assertTrue(relF <= 1e-6, name + " FD rel error " + relF);
            assertTrue(relK <= 1e-9, name + " KID rel error " + relK);
            assertEquals("FD-test", fd.metric());
            assertEquals("KD-test", kid.metric());
        }
    }

    @Test
    void streamingStatisticsEqualTwoPassAndRoundTrip(@TempDir Path tmp) throws Exception {
        INDArray x = npy("fidkid_d32_x.npy");
        FeatureStatistics a = FeatureStatistics.of("e", x);
        FeatureStatistics.Accumulator acc = new FeatureStatistics.Accumulator("e");
        for (int i = 0; i < 200; i += 64) acc.add(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, Math.min(200, i + 64)), org.nd4j.linalg.indexing.NDArrayIndex.all()));
        FeatureStatistics b = acc.finish();
        assertEquals(0, a.mean().sub(b.mean()).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0, a.cov().sub(b.cov()).amaxNumber().doubleValue(), 1e-12);
        Path f = tmp.resolve("s.safetensors");
        a.save(f);
        FeatureStatistics c = FeatureStatistics.load(f);
        assertEquals(200, c.count());
        assertEquals("e", c.extractor());
        assertEquals(0.0, FrechetDistance.compute(a, c).value(), 1e-9);
    }

    @Test
    void kidMatchesNaiveLoopsAndIsNearZeroForTheSameDistribution() {
        Nd4j.getRandom().setSeed(3);
        INDArray a = Nd4j.randn(DataType.DOUBLE, 12, 5), b = Nd4j.randn(DataType.DOUBLE, 12, 5).addi(0.5);
        double naive = 0, d = 5, m = 12;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) {
                double kab = Math.pow(a.getRow(i).mul(b.getRow(j)).sumNumber().doubleValue() / d + 1, 3);
                naive -= 2 * kab / (m * m);
                if (i != j) {
                    naive += Math.pow(a.getRow(i).mul(a.getRow(j)).sumNumber().doubleValue() / d + 1, 3) / (m * (m - 1));
                    naive += Math.pow(b.getRow(i).mul(b.getRow(j)).sumNumber().doubleValue() / d + 1, 3) / (m * (m - 1));
                }
            }
        assertEquals(naive, Kid.mmd2(a, b), 1e-12);
        INDArray p = Nd4j.randn(DataType.DOUBLE, 400, 8), q = Nd4j.randn(DataType.DOUBLE, 400, 8);
        Kid.Result same = Kid.compute("e", p, q, 20, 200, 1);
        Kid.Result shifted = Kid.compute("e", p, q.add(1.0), 20, 200, 1);
        assertTrue(Math.abs(same.value()) < 0.05 && shifted.value() > 10 * Math.abs(same.value()), same + " / " + shifted);
        assertEquals(200, same.subsetSize());
    }
}
