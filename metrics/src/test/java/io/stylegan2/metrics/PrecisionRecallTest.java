package io.stylegan2.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/** Precision/recall against NVlabs' rule run in PyTorch (fixture made by src/test/python/precision_recall_reference.py). */
class PrecisionRecallTest {

    @Test
    void matchesNvlabsRule() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(getClass().getResourceAsStream("/metrics/precision_recall_reference.json"));
        for (JsonNode c : ref.get("cases")) {
            String name = c.get("name").asText();
            INDArray real = FidKidReferenceTest.npy("pr_" + name + "_real.npy"), gen = FidKidReferenceTest.npy("pr_" + name + "_gen.npy");
            PrecisionRecall.Result r = PrecisionRecall.compute("test", real, gen, c.get("k").asInt());
            // counts are integers: agreement is exact (the fixture's closest decision is >= 3e-5 from its ball's edge)
            assertEquals(c.get("precision").asDouble(), r.precision(), 1e-12, name + " precision");
            assertEquals(c.get("recall").asDouble(), r.recall(), 1e-12, name + " recall");
            assertEquals(real.size(0), r.numReal());
        }
    }

    @Test
    void identicalSetsAreFullyCoveredAndDisjointSetsNot() {
        INDArray a = Nd4j.randn(DataType.DOUBLE, 60, 5);
        PrecisionRecall.Result same = PrecisionRecall.compute("t", a, a.dup(), 3);
        assertEquals(1.0, same.precision());
        assertEquals(1.0, same.recall());
        PrecisionRecall.Result far = PrecisionRecall.compute("t", a, a.add(100.0), 3);
        assertEquals(0.0, far.precision());
        assertEquals(0.0, far.recall());
    }

    @Test
    void kthNeighbourExcludesSelf() {
        INDArray x = Nd4j.createFromArray(new double[][]{{0}, {1}, {3}, {6}});
        double[] r = PrecisionRecall.kthNeighbourDistances(x, 1);
        assertArrayEquals(new double[]{1, 1, 2, 3}, r, 1e-12);
    }

    @Test
    void badInputIsNamed() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 5, 3);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.compute("t", a, Nd4j.zeros(DataType.FLOAT, 5, 4), 3)).getMessage().contains("same D"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.compute("t", a, a, 5)).getMessage().contains("more than k"));
    }
}
