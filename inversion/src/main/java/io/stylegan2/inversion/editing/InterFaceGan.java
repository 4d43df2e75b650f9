package io.stylegan2.inversion.editing;

import io.stylegan2.inversion.LatentSpace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * InterFaceGAN (Shen et al. 2020): a linear boundary separating labelled latents; the edit
 * direction is the boundary's unit normal, pointing to the positive class.
 *
 * <p>The official code fits a linear SVM (scikit-learn); this fits an L2-regularised logistic
 * regression in float64 by full-batch gradient descent with Nesterov momentum (step {@code 1/L},
 * {@code L} from a power-iteration bound), on latents centred by their mean and divided by one
 * global standard deviation (an isotropic rescaling, so the normal's direction in W is unchanged).
 * Loss: {@code mean log(1 + exp(-y (u.x + b))) + lambda/2 |u|^2}, {@code y} in {@code {-1, +1}}.
 *
 * <p>Latents {@code [N, w_dim]} give a W direction; {@code [N, num_ws, w_dim]} are flattened and
 * give a W+ direction (the normal reshaped to {@code [num_ws, w_dim]}, unit norm overall).
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread (the arrays
 * given are only read). {@link Options} is immutable; {@link Result} is shallowly immutable
 * ({@code normal} is not copied).
 */
public final class InterFaceGan {
    private InterFaceGan() {}

    /** Fitting options: L2 weight {@code lambda}, iterations. */
    public record Options(double lambda, int iterations) {
        public static final Options DEFAULT = new Options(1e-3, 1000);

        public Options {
            if (!(lambda >= 0) || iterations < 1) throw new IllegalArgumentException("need lambda >= 0 and iterations >= 1, got " + lambda + ", " + iterations);
        }
    }

    /**
     * @param direction     the unit normal as a direction (scale 1, all rows)
     * @param normal        unit normal in the input's (flattened) space
     * @param offset        signed distance of the boundary from the origin along {@code normal}: the boundary is {@code normal.x = offset}
     * @param trainAccuracy fraction of labelled latents on the right side
     * @param used          number of latents with a label (non-zero)
     */
    public record Result(Direction direction, double[] normal, double offset, double trainAccuracy, int used) {}

    /**
     * Fits the boundary.
     *
     * @param latents {@code [N, w_dim]} or {@code [N, num_ws, w_dim]}
     * @param labels  per latent: {@code +1} positive, {@code -1} negative, {@code 0} unused
     */
    public static Result fit(String name, INDArray latents, int[] labels, Options options) {
        if (latents.rank() != 2 && latents.rank() != 3)
            throw new IllegalArgumentException("latents must be [N, w_dim] or [N, num_ws, w_dim], got " + Arrays.toString(latents.shape()));
        int n = (int) latents.size(0);
        if (labels.length != n) throw new IllegalArgumentException(n + " latents but " + labels.length + " labels");
        int d = (int) (latents.length() / n);
        int used = 0, pos = 0;
        for (int y : labels) {
            if (y != 0 && y != 1 && y != -1) throw new IllegalArgumentException("labels must be -1, 0 (unused) or +1, got " + y);
            if (y != 0) used++;
            if (y == 1) pos++;
        }
        if (pos == 0 || pos == used) throw new IllegalArgumentException("InterFaceGAN needs both classes: " + pos + " positive, " + (used - pos) + " negative");
        double[] flat = latents.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] x = new double[used * d], yv = new double[used];
        for (int i = 0, k = 0; i < n; i++) {
            if (labels[i] == 0) continue;
            System.arraycopy(flat, i * d, x, k * d, d);
            yv[k++] = labels[i];
        }
        INDArray xm = Nd4j.create(x, new long[]{used, d}, DataType.DOUBLE);
        INDArray mean = xm.mean(0);
        xm.subiRowVector(mean);
        double sigma = Math.sqrt(xm.mul(xm).sumNumber().doubleValue() / ((double) used * d));
        if (!(sigma > 0)) throw new IllegalArgumentException("latents are all equal: no boundary can be fitted");
        xm.divi(sigma);
        INDArray y = Nd4j.create(yv, new long[]{used, 1}, DataType.DOUBLE);

        // Lipschitz bound of the gradient: 0.25 * lambda_max([X 1]^T [X 1] / n) + lambda
        INDArray v = Nd4j.ones(DataType.DOUBLE, d, 1).divi(Math.sqrt(d));
        double lmax = 0;
        for (int it = 0; it < 50; it++) {
            INDArray xv = xm.mmul(v);
            INDArray nv = xm.transpose().mmul(xv).divi(used);
            lmax = nv.norm2Number().doubleValue();
            if (lmax == 0) break;
            v = nv.divi(lmax);
        }
        double lip = 0.25 * (lmax * 1.01 + 1.0) + options.lambda();
        double step = 1.0 / lip;

        INDArray u = Nd4j.zeros(DataType.DOUBLE, d, 1), uPrev = u.dup();
        double b = 0, bPrev = 0;
        for (int it = 1; it <= options.iterations(); it++) {
            double mom = (it - 1.0) / (it + 2.0);
            INDArray uy = u.add(u.sub(uPrev).muli(mom));
            double by = b + (b - bPrev) * mom;
            INDArray margin = xm.mmul(uy).addi(by).muli(y);                       // y (u.x + b)
            // d/dm log(1+exp(-m)) = -sigmoid(-m)
            INDArray coef = org.nd4j.linalg.ops.transforms.Transforms.sigmoid(margin.neg(), false).muli(y).negi(); // [n,1]
            INDArray gu = xm.transpose().mmul(coef).divi(used).addi(uy.mul(options.lambda()));
            double gb = coef.sumNumber().doubleValue() / used;
            uPrev = u;
            bPrev = b;
            u = uy.sub(gu.muli(step));
            b = by - step * gb;
        }
        double[] uu = u.data().asDouble();
        double norm = 0;
        for (double a : uu) norm += a * a;
        norm = Math.sqrt(norm);
        if (!(norm > 0)) throw new IllegalStateException("InterFaceGAN: the fitted normal is zero (labels carry no linear signal)");
        double[] normal = new double[d];
        for (int i = 0; i < d; i++) normal[i] = uu[i] / norm;
        // boundary in the original space: u.(x - mean)/sigma + b = 0  <=>  normal.x = normal.mean - b*sigma/|u|
        double nm = 0;
        double[] mu = mean.data().asDouble();
        for (int i = 0; i < d; i++) nm += normal[i] * mu[i];
        double offset = nm - b * sigma / norm;
        int correct = 0;
        for (int k = 0; k < used; k++) {
            double s = 0;
            for (int i = 0; i < d; i++) s += normal[i] * x[k * d + i];
            if ((s - offset > 0 ? 1 : -1) == (int) yv[k]) correct++;
        }
        double acc = (double) correct / used;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model", "logistic_regression_l2");
        p.put("lambda", options.lambda());
        p.put("iterations", options.iterations());
        p.put("samples", used);
        p.put("positives", pos);
        p.put("train_accuracy", acc);
        p.put("offset", offset);
        INDArray dir = Nd4j.createFromArray(normal);
        Direction direction = latents.rank() == 2
                ? Direction.fromRow(name, LatentSpace.W, dir, 0, 1.0, new Provenance("interfacegan", p))
                : new Direction(name, LatentSpace.W_PLUS, dir.reshape(latents.size(1), latents.size(2)), 0, (int) latents.size(1), 1.0,
                new Provenance("interfacegan", p));
        return new Result(direction, normal, offset, acc, used);
    }

    /**
     * Conditional manipulation: the primary direction projected onto the orthogonal complement of
     * the span of the condition directions (Gram-Schmidt, any number of conditions), renormalised,
     * so moving along it leaves the conditions' (linear) attributes unchanged. Inputs must have the
     * same space and shape; the result keeps the primary's rows and scale, named
     * {@code primary|cond1|cond2...}.
     */
    public static Direction conditional(Direction primary, java.util.List<Direction> conditions) {
        double[] p = primary.vector().data().asDouble().clone();
        java.util.List<double[]> basis = new java.util.ArrayList<>();
        for (Direction c : conditions) {
            if (c.space() != primary.space() || !Arrays.equals(c.vector().shape(), primary.vector().shape()))
                throw new IllegalArgumentException("condition " + c.name() + " has space/shape " + c.space().label() + Arrays.toString(c.vector().shape())
                        + ", primary " + primary.space().label() + Arrays.toString(primary.vector().shape()));
            double[] v = c.vector().data().asDouble().clone();
            for (double[] b : basis) subtractProjection(v, b);
            double n = Math.sqrt(dot(v, v));
            if (n < 1e-12) continue;   // linearly dependent on earlier conditions
            for (int i = 0; i < v.length; i++) v[i] /= n;
            basis.add(v);
        }
        double before = Math.sqrt(dot(p, p));
        for (double[] b : basis) subtractProjection(p, b);
        double n = Math.sqrt(dot(p, p));
        if (n < 1e-9 * Math.max(before, 1e-300))
            throw new IllegalArgumentException("direction " + primary.name() + " lies in the span of the conditions: nothing is left after projection");
        for (int i = 0; i < p.length; i++) p[i] *= before / n;
        Map<String, Object> params = new LinkedHashMap<>(primary.provenance().params());
        params.put("conditioned_on", conditions.stream().map(Direction::name).toList());
        StringBuilder name = new StringBuilder(primary.name());
        for (Direction c : conditions) name.append('|').append(c.name());
        return new Direction(name.toString(), primary.space(), Nd4j.create(p, primary.vector().shape(), DataType.DOUBLE),
                primary.start(), primary.end(), primary.scale(), new Provenance(primary.provenance().method(), params));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void subtractProjection(double[] v, double[] unit) {
        double d = dot(v, unit);
        for (int i = 0; i < v.length; i++) v[i] -= d * unit[i];
    }
}
