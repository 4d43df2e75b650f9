package io.stylegan2.core.ops;

import io.stylegan2.core.engine.Engine;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collections;
import java.util.Map;
import java.util.Random;

/**
 * Central-difference gradient check in DOUBLE. The loss is {@code sum(out * R)} with a fixed random
 * {@code R}; every named VARIABLE is checked at up to {@code maxPerVar} random elements.
 */
final class GradCheck {
    private GradCheck() {}

    static void check(SameDiff sd, SDVariable out, int maxPerVar, String... varNames) {
        Engine.get();
        long[] shape = out.eval().shape();
        INDArray r = Nd4j.rand(DataType.DOUBLE, shape).subi(0.5);
        SDVariable loss = sd.sum(out.mul(sd.constant(r)));
        sd.setLossVariables(loss);
        Map<String, INDArray> grads = sd.calculateGradients(Collections.emptyMap(), varNames);
        Random rnd = new Random(7);
        double eps = 1e-6;
        for (String name : varNames) {
            INDArray arr = sd.getVariable(name).getArr();
            INDArray g = grads.get(name);
            if (g == null) throw new AssertionError("no gradient for " + name);
            long n = arr.length();
            int count = (int) Math.min(n, maxPerVar);
            for (int k = 0; k < count; k++) {
                long i = n <= maxPerVar ? k : (long) (rnd.nextDouble() * n);
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + eps);
                double lp = sd.output(Collections.emptyMap(), loss.name()).get(loss.name()).getDouble(0);
                arr.putScalar(i, orig - eps);
                double lm = sd.output(Collections.emptyMap(), loss.name()).get(loss.name()).getDouble(0);
                arr.putScalar(i, orig);
                double num = (lp - lm) / (2 * eps);
                double ana = g.getDouble(i);
                double err = Math.abs(num - ana);
                if (err > 1e-5 + 1e-4 * Math.abs(num))
                    throw new AssertionError(String.format("gradient of %s at flat index %d: analytic %.10g numeric %.10g", name, i, ana, num));
            }
        }
    }
}
