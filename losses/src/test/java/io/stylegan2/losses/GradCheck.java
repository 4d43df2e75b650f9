package io.stylegan2.losses;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;
import java.util.Random;

/** float64 central-difference gradient checks of a scalar SameDiff loss w.r.t. its variables. */
final class GradCheck {
    private GradCheck() {}

    /**
     * Compares {@code sd.calculateGradients} of {@code loss} w.r.t. variable {@code var} (DOUBLE)
     * with {@code (f(x + eps) - f(x - eps)) / 2 eps} at up to {@code samples} random elements.
     *
     * @return the max |analytic| over the checked elements (so callers can assert it is non-trivial)
     */
    static double check(SameDiff sd, String loss, Map<String, INDArray> ph, String var, int samples, double eps, double rtol, double atol) {
        sd.setLossVariables(loss);
        INDArray arr = sd.getVariable(var).getArr();
        if (arr.dataType() != DataType.DOUBLE) throw new AssertionError(var + " is " + arr.dataType() + ", gradient checks need DOUBLE");
        INDArray g = sd.calculateGradients(ph, var).get(var);
        if (g == null) throw new AssertionError("no gradient for " + var);
        Random rnd = new Random(42);
        long n = arr.length();
        double maxA = 0;
        for (int s = 0; s < Math.min(samples, n); s++) {
            long i = samples >= n ? s : (long) (rnd.nextDouble() * n);
            double orig = arr.getDouble(i);
            arr.putScalar(i, orig + eps);
            double fp = sd.output(ph, loss).get(loss).getDouble(0);
            arr.putScalar(i, orig - eps);
            double fm = sd.output(ph, loss).get(loss).getDouble(0);
            arr.putScalar(i, orig);
            double num = (fp - fm) / (2 * eps);
            double a = g.getDouble(i);
            maxA = Math.max(maxA, Math.abs(a));
            if (!(Math.abs(a - num) <= atol + rtol * Math.abs(num)))
                throw new AssertionError(String.format("gradient of %s w.r.t. %s[%d]: analytic %.10g, numeric %.10g", loss, var, i, a, num));
        }
        return maxA;
    }

    static double check(SameDiff sd, String loss, String var) {
        return check(sd, loss, Map.of(), var, 40, 1e-6, 1e-5, 1e-9);
    }

    /** A DOUBLE N(0,1) array. */
    static INDArray randn(long seed, long... shape) {
        Random r = new Random(seed);
        double[] v = new double[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        return org.nd4j.linalg.factory.Nd4j.create(v, shape, DataType.DOUBLE);
    }
}
