package io.stylegan2.inversion.engine;

import io.stylegan2.core.optim.Adam;
import io.stylegan2.losses.Adversarial;
import io.stylegan2.losses.R1Penalty;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.WeightOverride;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A discriminator trained alternately with a method's own networks (near-perfect's tuned generator,
 * the PadInv encoder): a trainable copy of the checkpoint's weights in its own graph, stepped on the
 * logistic loss {@code sum_i softplus(D(fake_i)) + softplus(-D(real_i))} over one or more
 * (real, fake) batches of fixed sizes, plus, when {@code r1Gamma > 0}, a second graph with the R1
 * penalty on the reals, stepped every {@code r1Interval} steps on {@code r1Interval * R1}
 * (StyleGAN2's lazy regularisation; 1 = every step). One Adam updates the weights; the R1 graph and
 * the method's graph get copies ({@link #copyInto}) after each update. Parameters that a loss does
 * not reach (e.g. biases after the last nonlinearity for R1) are skipped, as torch skips grad-less
 * parameters.
 *
 * <p><b>Thread safety:</b> Not thread-safe: it owns its graphs, weights and Adam state and updates
 * them in place; use one instance per thread. The checkpoint {@link Discriminator} is only read.
 */
public final class AlternatingDiscriminator {
    /** History names of {@link #step}. */
    public static final String D_LOSS = "d_loss", R1 = "r1";

    /**
     * @param learningRate Adam learning rate
     * @param beta1        Adam beta1
     * @param beta2        Adam beta2
     * @param r1Gamma      R1 gamma (0: no R1)
     * @param r1Interval   R1 every this many steps (its loss multiplied by it)
     */
    public record Settings(double learningRate, double beta1, double beta2, double r1Gamma, int r1Interval) {
        public Settings {
            if (!(learningRate > 0) || !(r1Gamma >= 0) || r1Interval < 1) throw new IllegalArgumentException("discriminator: invalid settings");
        }
    }

    private final String prefix, scope;
    private final int[] batches;
    private final Settings settings;
    private final SameDiff main = SameDiff.create();
    private final SameDiff reg;
    private final String total, r1;
    private final List<String> names = new ArrayList<>();
    private final Map<String, INDArray> weights = new LinkedHashMap<>();
    private final Adam adam;
    private long steps;

    /**
     * @param d       the checkpoint's discriminator (its weights are copied; it is not changed)
     * @param prefix  prefix of the weights' graph names (the same as the method graph's binding, for {@link #copyInto})
     * @param scope   prefix of this object's own placeholder and output names
     * @param batches the size of each (real, fake) pair's batches
     */
    public AlternatingDiscriminator(Discriminator d, String prefix, String scope, int[] batches, Settings settings) {
        this.prefix = prefix;
        this.batches = batches.clone();
        this.settings = settings;
        this.adam = new Adam(settings.beta1(), settings.beta2(), 1e-8);
        DataType dt = d.params().dataType();
        int ch = d.config().imgChannels(), res = d.config().imgResolution();
        ParamBinding p = new ParamBinding(main, d.params(), prefix, x -> true, WeightOverride.NONE);
        SDVariable loss = null;
        for (int i = 0; i < batches.length; i++) {
            SDVariable real = main.placeHolder(scope + "real" + i, dt, batches[i], ch, res, res), fake = main.placeHolder(scope + "fake" + i, dt, batches[i], ch, res, res);
            SDVariable l = Adversarial.discriminatorLoss(Adversarial.logits(d, p, real, batches[i]), Adversarial.logits(d, p, fake, batches[i]));
            loss = loss == null ? l : loss.add(l);
        }
        total = main.identity(scope + "loss", loss).name();
        main.setLossVariables(total);
        for (String name : d.params().names()) {
            String gn = p.graphName(name);
            if (main.hasVariable(gn) && main.getVariable(gn).getVariableType() == VariableType.VARIABLE) {
                names.add(gn);
                weights.put(gn, main.getVariable(gn).getArr());
            }
        }
        if (settings.r1Gamma() > 0) {
            reg = SameDiff.create();
            ParamBinding q = new ParamBinding(reg, d.params(), prefix, x -> true, WeightOverride.NONE);
            SDVariable pen = null;
            for (int i = 0; i < batches.length; i++) {
                SDVariable r = R1Penalty.build(d, q, reg.placeHolder(scope + "real" + i, dt, batches[i], ch, res, res), settings.r1Gamma()).penalty();
                pen = pen == null ? r : pen.add(r);
            }
            r1 = reg.identity(scope + "r1", pen.mul(settings.r1Interval())).name();
            reg.setLossVariables(r1);
        } else {
            reg = null;
            r1 = null;
        }
        this.scope = scope;
    }

    /** One update on the given batches (and the lazy R1 update when due); returns {@code d_loss} and, on R1 steps, {@code r1}. */
    public Map<String, Double> step(List<INDArray> reals, List<INDArray> fakes) {
        if (reals.size() != batches.length || fakes.size() != batches.length)
            throw new IllegalArgumentException("discriminator step: " + batches.length + " (real, fake) pairs expected");
        Map<String, INDArray> feed = new HashMap<>(), rf = new HashMap<>();
        for (int i = 0; i < batches.length; i++) {
            feed.put(scope + "real" + i, reals.get(i));
            feed.put(scope + "fake" + i, fakes.get(i));
            rf.put(scope + "real" + i, reals.get(i));
        }
        OutAndGrad og = main.calculateGradientsAndOutputs(feed, List.of(total), names);
        Map<String, Double> v = new LinkedHashMap<>();
        v.put(D_LOSS, og.getOutputs().get(total).getDouble(0));
        adam.step(weights, og.getGradients(), settings.learningRate());
        if (reg != null && steps % settings.r1Interval() == 0) {
            copy(main, reg);
            OutAndGrad rg = reg.calculateGradientsAndOutputs(rf, List.of(r1), names);
            v.put(R1, rg.getOutputs().get(r1).getDouble(0) / settings.r1Interval());
            Map<String, INDArray> reached = new LinkedHashMap<>();
            weights.forEach((k, w) -> { if (rg.getGradients().get(k) != null) reached.put(k, w); });
            adam.step(reached, rg.getGradients(), settings.learningRate());
        }
        steps++;
        return v;
    }

    /** Writes the current weights into another graph's variables of the same names (e.g. a frozen copy in the method's graph). */
    public void copyInto(SameDiff sd) {
        copy(main, sd);
    }

    private void copy(SameDiff from, SameDiff to) {
        for (String n : names) if (to.hasVariable(n)) to.getVariable(n).getArr().assign(from.getVariable(n).getArr());
    }

    /** Copies of the current weights by canonical parameter name (graph layout). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String n : names) out.put(n.substring(prefix.length()), weights.get(n).dup());
        return Collections.unmodifiableMap(out);
    }

    /** Everything a checkpoint needs to resume exactly: {@code w/<name>}, {@code adam/<m|v>/<name>} (live arrays; copy before mutating). */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        weights.forEach((n, a) -> out.put("w/" + n, a));
        adam.export().forEach((n, a) -> out.put("adam/" + n, a));
        return out;
    }

    /** Steps taken, and Adam's step count (for a checkpoint's metadata). */
    public long[] counters() {
        return new long[]{steps, adam.steps()};
    }

    /** Restores {@link #state()} and {@link #counters()}. */
    public void restore(Map<String, INDArray> state, long[] counters) {
        Map<String, INDArray> moments = new HashMap<>();
        state.forEach((k, a) -> {
            if (k.startsWith("w/")) {
                INDArray w = weights.get(k.substring(2));
                if (w == null) throw new IllegalArgumentException("discriminator state: unknown weight " + k);
                w.assign(a);
            } else if (k.startsWith("adam/")) {
                moments.put(k.substring(5), a);
            }
        });
        adam.restore(moments, counters[1]);
        steps = counters[0];
    }
}
