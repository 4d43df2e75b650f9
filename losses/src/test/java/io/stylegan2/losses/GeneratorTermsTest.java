package io.stylegan2.losses;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.WeightOffsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.stylegan2.losses.GradCheck.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/** Terms that run the real (tiny, random, float64) generator and discriminator. */
class GeneratorTermsTest {
    static final GeneratorConfig G_CFG = new GeneratorConfig(8, 8, 2, 0.01, 16, 3, Map.of(4, 8, 8, 6, 16, 4), null, null, "skip");
    static final DiscriminatorConfig D_CFG = new DiscriminatorConfig(16, 3, Map.of(4, 8, 8, 6, 16, 4), 2, 1, null, null, "resnet");
    static final String W = "synthesis.b16.conv1.weight";
    static Generator g;
    static Discriminator d;

    @BeforeAll
    static void setUp() {
        g = Generator.create(G_CFG, Generator.randomParams(G_CFG, 7), DataType.DOUBLE);
        d = Discriminator.create(D_CFG, Discriminator.randomParams(D_CFG, 3), DataType.DOUBLE);
    }

    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    static double meanSoftplusNeg(INDArray logits) {
        double s = 0;
        for (int i = 0; i < logits.length(); i++) s += softplus(-logits.getDouble(i)) / logits.length();
        return s;
    }

    @Test
    void adversarialLossesOnTheRealDiscriminator() {
        INDArray real = randn(1, 2, 3, 16, 16), fake = randn(2, 2, 3, 16, 16);
        INDArray lr = d.logits(real), lf = d.logits(fake);
        double gExp = meanSoftplusNeg(lf), dExp = 0;
        for (int i = 0; i < 2; i++) dExp += softplus(lf.getDouble(i)) / 2 + softplus(-lr.getDouble(i)) / 2;

        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("real", real.dup()), y = sd.var("fake", fake.dup());
        ParamBinding p = ParamBinding.frozen(sd, d.params(), "D/");
        SDVariable fl = Adversarial.logits(d, p, y.mul(1.0), 2); // an op output: no static shape
        Adversarial.generatorLoss(fl).rename("g");
        Adversarial.discriminatorLoss(d.build(p, x), fl).rename("d");
        Map<String, INDArray> out = sd.output(Map.of(), "g", "d");
        assertThat(out.get("g").getDouble(0)).isCloseTo(gExp, offset(1e-10));
        assertThat(out.get("d").getDouble(0)).isCloseTo(dExp, offset(1e-10));
        assertThat(GradCheck.check(sd, "g", Map.of(), "fake", 8, 1e-6, 1e-4, 1e-9)).isGreaterThan(0);
        GradCheck.check(sd, "d", Map.of(), "real", 8, 1e-6, 1e-4, 1e-9);
    }

    @Test
    void globalCohesionWithZeroDeltasIsThePlainGeneratorsLossAndTrainsTheDeltas() {
        SameDiff sd = SameDiff.create();
        WeightOffsets offsets = new WeightOffsets(n -> n.startsWith("synthesis.b16.") || n.startsWith("synthesis.b8."));
        ParamBinding gp = new ParamBinding(sd, g.params(), "G/", n -> false, offsets);
        GlobalCohesion.Config cfg = new GlobalCohesion.Config(2, 0.5, 1.0, NoiseMode.CONST);
        GlobalCohesion c = GlobalCohesion.build(g, gp, d, ParamBinding.frozen(sd, d.params(), "D/"), cfg);
        // a reconstruction through the same binding shares the deltas (both builds in one graph)
        SDVariable wRec = sd.var("w_rec", randn(4, 1, G_CFG.numWs(), G_CFG.wDim()));
        SDVariable rec = g.synthesisNetwork().build(gp, wRec, NoiseMode.CONST, io.stylegan2.stylegan.SynthesisHooks.NONE,
                io.stylegan2.stylegan.SynthesisNetwork.Start.FULL).image();
        c.loss().rename("cohesion");
        CompositeLoss loss = CompositeLoss.builder(sd)
                .add("rec", 1.0, Pixelwise.mse(rec, sd.constant(randn(5, 1, 3, 16, 16))))
                .add("global", cfg.weight(), c.loss())
                .build();

        INDArray ws = c.sample(g, 11);
        assertThat(ws.shape()).containsExactly(2, G_CFG.numWs(), G_CFG.wDim());
        assertThat(c.sample(g, 11)).isEqualTo(ws);
        assertThat(c.sample(g, 12)).isNotEqualTo(ws);
        Map<String, INDArray> ph = c.placeholders(g, 11);
        double expected = meanSoftplusNeg(d.logits(g.synthesis(ws, NoiseMode.CONST, 0)));
        Map<String, Double> v = loss.values(sd.output(ph, loss.outputNames()));
        assertThat(v.get("global")).isCloseTo(expected, offset(1e-10));

        String dn = offsets.deltas().get(W).name();
        Map<String, INDArray> grads = sd.calculateGradients(ph, dn, offsets.deltas().get("synthesis.b8.conv0.weight").name());
        assertThat(grads.get(dn).amaxNumber().doubleValue()).isGreaterThan(0);
        // central differences of the cohesion term alone w.r.t. one delta (named before any gradient
        // is built: SameDiff M2.1 fails to rebuild gradients after a rename)
        assertThat(GradCheck.check(sd, "cohesion", ph, dn, 6, 1e-6, 1e-4, 1e-10)).isGreaterThan(0);

        assertThatThrownBy(() -> new GlobalCohesion.Config(2, 1, 1, NoiseMode.RANDOM)).hasMessageContaining("RANDOM");
        assertThatThrownBy(() -> new GlobalCohesion.Config(0, 1, 1, NoiseMode.CONST)).hasMessageContaining("sample");
    }

    @Test
    void localityLatentsFollowPti() {
        Locality.Config cfg = new Locality.Config(3, 30, 0.5, 0.1, 0.1, NoiseMode.NONE);
        INDArray pivot = g.mapping(randn(6, 1, G_CFG.zDim()), 1.0);
        INDArray wr = Locality.latents(g, pivot, cfg, 21);
        assertThat(wr.shape()).containsExactly(3, G_CFG.numWs(), G_CFG.wDim());
        Random rnd = new Random(21);
        double[] z = new double[3 * G_CFG.zDim()];
        for (int i = 0; i < z.length; i++) z[i] = rnd.nextGaussian();
        INDArray wz = g.mapping(Nd4j.create(z, new long[] {3, G_CFG.zDim()}, DataType.DOUBLE), 0.5);
        INDArray p = pivot.reshape(G_CFG.numWs(), G_CFG.wDim());
        for (int i = 0; i < 3; i++) {
            INDArray step = wr.slice(i).sub(p), dir = wz.slice(i).sub(p);
            assertThat(step.norm2Number().doubleValue()).isCloseTo(30, offset(1e-9));
            io.stylegan2.core.testing.AllClose.assertAllClose("direction", step, dir.mul(30 / dir.norm2Number().doubleValue()), 0, 1e-9);
        }
        // a single w_pivot [w_dim] is broadcast to every row
        INDArray w1 = Locality.latents(g, p.getRow(0).dup(), cfg, 21);
        assertThat(w1.shape()).containsExactly(3, G_CFG.numWs(), G_CFG.wDim());
    }

    @Test
    void localityIsZeroForZeroDeltasAndMatchesNaiveOtherwise() {
        Locality.Config cfg = new Locality.Config(2, 30, 0.5, 0.1, 0.2, NoiseMode.NONE);
        INDArray pivot = g.mapping(randn(6, 1, G_CFG.zDim()), 1.0);
        INDArray wr = Locality.latents(g, pivot, cfg, 5);

        SameDiff s0 = SameDiff.create();
        Locality l0 = Locality.build(g, new ParamBinding(s0, g.params(), "G/", n -> false, WeightOffsets.synthesis()), cfg, Pixelwise.l1Distance());
        l0.loss().rename("loc");
        Map<String, INDArray> out0 = s0.output(Map.of(Locality.WS, wr), "loc", l0.originalImage().name());
        assertThat(out0.get("loc").getDouble(0)).isEqualTo(0.0);
        io.stylegan2.core.testing.AllClose.assertAllClose("original", out0.get(l0.originalImage().name()), g.synthesis(wr, NoiseMode.NONE, 0), 0, 1e-12);

        INDArray delta = randn(9, g.params().get(W).shape()).muli(0.05);
        SameDiff sd = SameDiff.create();
        WeightOffsets offsets = new WeightOffsets(n -> n.equals(W), Map.of(W, delta));
        Locality l = Locality.build(g, new ParamBinding(sd, g.params(), "G/", n -> false, offsets), cfg, Pixelwise.l1Distance());
        l.loss().rename("loc");
        Map<String, INDArray> ph = new HashMap<>(Map.of(Locality.WS, wr));
        Map<String, INDArray> out = sd.output(ph, "loc", l.tunedImage().name(), l.originalImage().name());
        INDArray a = out.get(l.tunedImage().name()), b = out.get(l.originalImage().name());
        double mse = a.sub(b).mul(a.sub(b)).meanNumber().doubleValue(), l1 = Transforms.abs(a.sub(b)).meanNumber().doubleValue();
        assertThat(mse).isGreaterThan(1e-8);
        assertThat(out.get("loc").getDouble(0)).isCloseTo(0.1 * mse + 0.2 * l1, offset(1e-12));
        assertThat(GradCheck.check(sd, "loc", ph, offsets.deltas().get(W).name(), 6, 1e-6, 1e-4, 1e-10)).isGreaterThan(0);

        // L2 only without a perceptual distance
        SameDiff s2 = SameDiff.create();
        Locality l2 = Locality.build(g, new ParamBinding(s2, g.params(), "G/", n -> false, new WeightOffsets(n -> n.equals(W), Map.of(W, delta))), cfg, null);
        assertThat(l2.perceptual()).isNull();
        l2.loss().rename("loc");
        assertThat(s2.output(ph, "loc").get("loc").getDouble(0)).isCloseTo(0.1 * mse, offset(1e-12));
    }

    @Test
    void gaussianPriorFitUsesSeededMappingSamples() {
        GaussianPrior prior = GaussianPrior.fit(g, 300, 4);
        assertThat(prior.mean().shape()).containsExactly(G_CFG.wDim());
        assertThat(prior.invCov().shape()).containsExactly(G_CFG.wDim(), G_CFG.wDim());
        Random rnd = new Random(4);
        double[] z = new double[300 * G_CFG.zDim()];
        for (int i = 0; i < z.length; i++) z[i] = rnd.nextGaussian();
        INDArray w = g.mapping(Nd4j.create(z, new long[] {300, G_CFG.zDim()}, DataType.DOUBLE), 1.0)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all());
        GaussianPrior ref = GaussianPrior.fromW(w);
        io.stylegan2.core.testing.AllClose.assertAllClose("mean", prior.mean(), ref.mean(), 0, 1e-12);
        io.stylegan2.core.testing.AllClose.assertAllClose("inv cov", prior.invCov(), ref.invCov(), 1e-9, 1e-9);
        io.stylegan2.core.testing.AllClose.assertAllClose("symmetric", prior.invCov(), prior.invCov().transpose(), 1e-9, 1e-9);
    }

    static final class Transforms {
        static INDArray abs(INDArray a) {
            return org.nd4j.linalg.ops.transforms.Transforms.abs(a, true);
        }
    }
}
