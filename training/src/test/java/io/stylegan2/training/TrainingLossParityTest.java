package io.stylegan2.training;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.io.Npy;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParameterStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training phases against NVIDIA's official loss code ({@code StyleGAN2Loss.accumulate_gradients}
 * of stylegan2-ada-pytorch on its own networks; goldens by {@code src/test/python/loss_reference.py}):
 * the loss values and the gradient of every trained parameter of Gmain, Dmain, lazy R1 (gain 16) and
 * lazy path-length regularisation (Gpl: weight 2, gain 4, half the batch, style mixing, random noise, from
 * a given running mean; its lengths, penalties and updated mean too), and the tracked {@code w_avg}, to
 * 1e-4 relative to each tensor's largest value.
 */
class TrainingLossParityTest {
    static final double TOL = 1e-4;
    static Map<String, INDArray> golden;
    static Networks nets;
    static PhaseGraphs graphs;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of(TrainingLossParityTest.class.getResource("/training/loss-golden").toURI());
        golden = Npy.readNpz(dir.resolve("golden.npz"));
        NativeModel m = Converter.load(List.of(dir), ConvertOptions.defaults());
        nets = Networks.fromCanonical(m.generatorConfig(), m.discriminatorConfig(), m.generator(), m.discriminator(), null);
        graphs = new PhaseGraphs(nets, 4, NoiseMode.CONST, 2.0, 16, null);
    }

    /** Asserts and returns {@code max |actual - expected| / max |expected|}. */
    private static double assertClose(String what, INDArray actual, INDArray expected) {
        assertThat(actual.shape()).as(what).containsExactly(expected.shape());
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-30);
        double err = actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertThat(err / scale).as("%s: max |diff| %.3g, max |expected| %.3g", what, err, scale).isLessThanOrEqualTo(TOL);
        return err / scale;
    }

    private static void assertGradients(String phase, Map<String, INDArray> grads, String prefix, Map<String, INDArray> params) {
        int n = 0;
        double worst = 0;
        for (String name : params.keySet()) {
            INDArray want = golden.get(phase + "/grad/" + name);
            if (want == null) continue;   // buffers
            INDArray got = grads.get(prefix + name);
            assertThat(got).as(phase + " gradient of " + name).isNotNull();
            worst = Math.max(worst, assertClose(phase + " d/d " + name, ParameterStore.canonicalLayout(name, got), want));
            n++;
        }
        assertThat(n).as(phase + " gradients compared").isEqualTo((int) golden.keySet().stream().filter(k -> k.startsWith(phase + "/grad/")).count());
        System.out.printf("%s: %d parameter gradients, worst rel err %.3e%n", phase, n, worst);
    }

    private static Map<String, INDArray> feed() {
        INDArray z = golden.get("z");
        return graphs.gFeed(z, z, PhaseGraphs.mixMask(nets.gCfg.numWs(), nets.gCfg.numWs()), Map.of());
    }

    private static double rel(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
    }

    @Test
    void gMainLossGradientsAndTheTrackedWAvg() {
        PhaseGraphs.Phase p = graphs.gMain(feed());
        assertThat(rel(p.loss(), golden.get("Gmain/loss").getDouble(0))).isLessThan(TOL);
        assertGradients("Gmain", p.gradients(), PhaseGraphs.G_PREFIX, nets.g);
        INDArray before = nets.g.get("mapping.w_avg").dup();
        try {
            nets.trackWAvg(p.a(), 0.995);
            assertClose("w_avg", nets.g.get("mapping.w_avg"), golden.get("Gmain/w_avg"));
        } finally {
            nets.g.get("mapping.w_avg").assign(before);
        }
    }

    @Test
    void lazyPathLengthPenaltyGradientsAndTheTrackedWAvg() {
        // the golden's Greg: random noise, style mixing at the drawn crossover, batch 4 / 2
        PhaseGraphs pg = new PhaseGraphs(nets, 4, NoiseMode.RANDOM, 0, 16, new PhaseGraphs.PathLength(2, 2, 0.01, 4));
        Map<String, INDArray> noise = new java.util.LinkedHashMap<>();
        for (String l : nets.synthesis.convLayers()) noise.put(l, golden.get("Gpl/noise/" + l));
        int cutoff = (int) golden.get("Gpl/cutoff").getDouble(0);
        assertThat(cutoff).isBetween(1, nets.gCfg.numWs() - 1);
        float mean0 = golden.get("Gpl/pl_mean0").getFloat(0);
        PhaseGraphs.PathLengthPhase p = pg.gPl(pg.plFeed(golden.get("Gpl/z"), golden.get("Gpl/z2"), PhaseGraphs.mixMask(nets.gCfg.numWs(), cutoff), noise,
                golden.get("Gpl/pl_noise"), mean0));

        double lengthsErr = assertClose("pl_lengths", p.lengths(), golden.get("Gpl/pl_lengths"));
        INDArray penalties = p.lengths().castTo(DataType.DOUBLE).sub((double) p.mean());
        penalties.muli(penalties);
        double penaltyErr = assertClose("pl_penalty", penalties, golden.get("Gpl/pl_penalty").castTo(DataType.DOUBLE));
        System.out.printf("Gpl: pl_lengths rel err %.3e, pl_penalty rel err %.3e, loss rel err %.3e, pl_mean move rel err %.3e%n", lengthsErr, penaltyErr,
                rel(2 * p.penalty(), golden.get("Gpl/loss").getDouble(0)), rel(p.mean() - mean0, golden.get("Gpl/pl_mean").getDouble(0) - mean0));
        assertThat(rel(p.penalty(), golden.get("Gpl/pl_penalty").meanNumber().doubleValue())).isLessThan(TOL);
        assertThat(rel(2 * p.penalty(), golden.get("Gpl/loss").getDouble(0))).isLessThan(TOL);
        // the running mean moves by decay * (mean length - mean0): compare the move
        assertThat(rel(p.mean() - mean0, golden.get("Gpl/pl_mean").getDouble(0) - mean0)).isLessThan(TOL);

        // the path length reaches no ToRGB bias: NVlabs' zero gradients, no gradient here (the trainer fills zeros)
        Map<String, INDArray> g = new java.util.LinkedHashMap<>(p.gradients());
        nets.g.forEach((n, a) -> {
            if (Networks.trainedInG(n)) g.computeIfAbsent(PhaseGraphs.G_PREFIX + n, k -> Nd4j.zeros(a.dataType(), a.shape()));
        });
        assertGradients("Gpl", g, PhaseGraphs.G_PREFIX, nets.g);

        INDArray before = nets.g.get("mapping.w_avg").dup();
        try {
            nets.trackWAvg(p.w(), 0.995);
            assertClose("w_avg after Gpl", nets.g.get("mapping.w_avg"), golden.get("Gpl/w_avg"));
        } finally {
            nets.g.get("mapping.w_avg").assign(before);
        }
    }

    @Test
    void dMainLossAndGradients() {
        INDArray fake = graphs.fakes(feed())[0];
        PhaseGraphs.Phase p = graphs.dMain(golden.get("reals"), fake);
        assertThat(rel(p.loss(), golden.get("Dmain/loss").getDouble(0))).isLessThan(TOL);
        assertGradients("Dmain", p.gradients(), PhaseGraphs.D_PREFIX, nets.d);
    }

    @Test
    void lazyR1PenaltyAndGradients() {
        PhaseGraphs.Phase p = graphs.dReg(golden.get("reals"));
        assertThat(rel(p.loss(), golden.get("Dreg/loss").getDouble(0))).isLessThan(TOL);
        // R1 reaches no parameter after D's last nonlinearity: NVlabs' zero gradients, no gradient here (the trainer fills zeros)
        Map<String, INDArray> g = new java.util.LinkedHashMap<>(p.gradients());
        nets.d.forEach((n, a) -> g.computeIfAbsent(PhaseGraphs.D_PREFIX + n, k -> Nd4j.zeros(a.dataType(), a.shape())));
        assertGradients("Dreg", g, PhaseGraphs.D_PREFIX, nets.d);
    }
}
