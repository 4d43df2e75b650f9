package io.stylegan2.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;

/** The deterministic Inception weights of src/test/python/inception_reference.py (same formula). */
final class InceptionV3Weights {
    private InceptionV3Weights() {}

    static double u(long hash, long i) {
        long m = 0xFFFFFFFFL;
        long v = ((i + hash) * 2654435761L) & m;
        v ^= v >>> 16;
        v = (v * 0x45D9F3BL) & m;
        v ^= v >>> 16;
        return v / 4294967296.0 - 0.5;
    }

    static Map<String, INDArray> deterministic() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : InceptionV3Features.parameterShapes().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            long n = 1;
            for (long s : shape) n *= s;
            long h = Integer.toUnsignedLong(name.hashCode());
            double[] d = new double[(int) n];
            double fanIn = (double) n / shape[0];
            for (int i = 0; i < n; i++) {
                double x = u(h, i);
                if (name.endsWith("conv.weight")) x = x * Math.sqrt(12.0) * Math.sqrt(2.0 / fanIn);
                else if (name.endsWith("bn.weight")) x = 1 + 0.2 * x;
                else if (name.endsWith("bn.bias")) x = 0.05 * x;
                else if (name.endsWith("bn.running_mean")) x = 0.05 * x;
                else if (name.endsWith("bn.running_var")) x = 1 + 0.5 * (x + 0.5);
                else throw new IllegalStateException(name);
                d[i] = x;
            }
            out.put(name, Nd4j.create(d, shape, DataType.DOUBLE).castTo(DataType.FLOAT));
        }
        return out;
    }
}
