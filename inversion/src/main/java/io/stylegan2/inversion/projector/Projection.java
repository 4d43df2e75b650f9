package io.stylegan2.inversion.projector;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.inversion.Target;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers shared by the projectors. */
final class Projection {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Projection() {}

    /** Checks that the target matches the generator's channels and resolution. */
    static void checkTarget(Generator g, Target t) {
        GeneratorConfig c = g.config();
        if (t.channels() != c.imgChannels() || t.resolution() != c.imgResolution())
            throw new IllegalArgumentException("target '" + t.name() + "' is " + t.channels() + "x" + t.resolution() + "x" + t.resolution()
                    + " but the generator makes " + c.imgChannels() + "x" + c.imgResolution() + "x" + c.imgResolution()
                    + " images (prepare it with ImagePreparation.load)");
    }

    /** {@code w [w_dim]} repeated to {@code [1, num_ws, w_dim]} float32. */
    static INDArray broadcast(INDArray w, int numWs) {
        INDArray row = w.castTo(DataType.FLOAT).reshape(1, 1, w.length());
        INDArray out = Nd4j.create(DataType.FLOAT, 1, numWs, w.length());
        for (int i = 0; i < numWs; i++) out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(row.reshape(1, w.length()));
        return out;
    }

    /** A config record as JSON-compatible values (through JSON text, so a saved result loads back equal). */
    static Map<String, Object> configMap(Record config) {
        try {
            return JSON.readValue(JSON.writeValueAsString(config), new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialise config " + config, e);
        }
    }

    static double seconds(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e9;
    }
}
