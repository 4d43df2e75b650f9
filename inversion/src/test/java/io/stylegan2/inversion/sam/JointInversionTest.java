package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.losses.GaussianPrior;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** SAM's joint optimisation on the trained model and real garments (a few steps). */
class JointInversionTest {

    static INDArray targets(int... garments) {
        return Nd4j.concat(0, java.util.Arrays.stream(garments).mapToObj(FixtureModel::garment).toArray(INDArray[]::new));
    }

    static INDArray avg(Generator g, int n) {
        return Nd4j.concat(0, java.util.Collections.nCopies(n, WPlus.one(g.wAvg(), g.config(), "w")).toArray(new INDArray[0]));
    }

    /** Adam's epsilon and float32 summation order make the two runs differ slightly (under 2 % of the distance moved here; single offset entries with gradients near zero can take Adam steps of opposite sign). */
    @Test
    void aBatchTakesTheStepsOfItsImagesOneByOne() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        GaussianPrior prior = GaussianPrior.fit(g, 2000, 0);
        INDArray x = targets(60, 61);
        Map<String, INDArray> mask = Map.of("b8", Nd4j.ones(DataType.FLOAT, 1, 1, 8, 8));
        JointInversion.Settings s = JointInversion.Settings.sam(6);
        JointInversion.Run both = JointInversion.run(g, x, avg(g, 2), mask, Optional.empty(), prior, s, "both", null, null);
        for (int i = 0; i < 2; i++) {
            JointInversion.Run one = JointInversion.run(g, x.get(NDArrayIndex.interval(i, i + 1)).dup(), avg(g, 1), mask, Optional.empty(), prior, s, "one", null, null);
            INDArray start = g.synthesis(avg(g, 1), NoiseMode.CONST, 0);
            double moved = one.images().sub(start).norm2Number().doubleValue();
            double apart = one.images().sub(both.image(i).images()).norm2Number().doubleValue();
            assertThat(apart).as("image %d: batch vs alone, against the change from the start %s", i, moved).isLessThan(0.02 * moved);
            double dw = one.ws(0).sub(both.ws(i)).norm2Number().doubleValue(), scale = one.ws(0).sub(avg(g, 1)).norm2Number().doubleValue();
            assertThat(dw).as("W+ of image %d", i).isLessThan(0.02 * scale);
        }
        assertThat(both.history().get(both.history().size() - 1)).containsKeys("mse", "prior", "delta", "f_b8");
    }

    @Test
    void theOffsetActsOnlyInsideItsMaskAndLowersTheError() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        GaussianPrior prior = GaussianPrior.fit(g, 2000, 0);
        INDArray x = targets(62);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, 1, 1, 16, 16);
        mask.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 16), NDArrayIndex.interval(0, 8)).assign(1);
        JointInversion.Settings s = JointInversion.Settings.sam(20);
        JointInversion.Run w = JointInversion.run(g, x, avg(g, 1), Map.of(), Optional.empty(), prior, s, "w", null, null);
        JointInversion.Run f = JointInversion.run(g, x, w.ws(), Map.of("b16", mask), Optional.empty(), prior, s, "f", null, null);
        INDArray d = f.offsets(0).get("b16");
        assertThat(d.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(8, 16)).amaxNumber().doubleValue())
                .as("outside the mask the offset gets no gradient").isZero();
        assertThat(d.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 8)).amaxNumber().doubleValue()).isPositive();
        // the final image is the generator with x + delta * m after b16
        try (SamRenderer r = new SamRenderer(g, SamInverter.reconstruction(g, forcedLeft(), f, null))) {
            assertThat(r.render().sub(f.images()).amaxNumber().doubleValue()).isLessThan(1e-4);
        }
        double mseW = w.history().get(w.history().size() - 1).get("mse"), mseF = f.history().get(f.history().size() - 1).get("mse");
        assertThat(mseF).isLessThan(mseW);
        assertThat(g.synthesis(w.ws(), NoiseMode.CONST, 0).sub(w.images()).amaxNumber().doubleValue()).as("no mask: a plain W+ code").isLessThan(1e-4);
    }

    /** The selection whose b16 mask is the left half (16 x 8 of 16 x 16). */
    static SpaceSelection forcedLeft() {
        int[] l = new int[32 * 32];
        for (int y = 0; y < 32; y++) for (int xx = 16; xx < 32; xx++) l[y * 32 + xx] = 1;
        Segmentation seg = Segmentation.of(32, 32, l);
        return new SpaceSelection(SpaceSelectionTest.SPACES, 0, seg, new double[2][3], new int[]{2, 0});
    }

    @Test
    void badShapesAreNamed() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        GaussianPrior prior = GaussianPrior.fit(g, 500, 0);
        JointInversion.Settings s = JointInversion.Settings.sam(1);
        assertThatThrownBy(() -> JointInversion.run(g, targets(1), avg(g, 2), Map.of(), Optional.empty(), prior, s, "x", null, null))
                .hasMessageContaining("initial codes must be");
        assertThatThrownBy(() -> JointInversion.run(g, targets(1), avg(g, 1), Map.of("b16", Nd4j.ones(DataType.FLOAT, 1, 1, 8, 8)), Optional.empty(), prior, s, "x", null, null))
                .hasMessageContaining("mask of b16");
        assertThatThrownBy(() -> new JointInversion.Settings(0, 0.05, 1, 1, 1e-8, 1e-3, 5)).hasMessageContaining("steps");
    }

    @Test
    void thePriorInverseIsTheCovariancesInverse() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        INDArray w = g.sampleW(GaussianPrior.SAM_SAMPLES, 0).castTo(DataType.DOUBLE);
        GaussianPrior p = GaussianPrior.fromW(w);
        INDArray v = GaussianPrior.invertLrelu(w);
        INDArray c = v.subRowVector(v.mean(0));
        INDArray cov = c.transpose().mmul(c).divi(v.size(0) - 1).addi(Nd4j.eye(c.size(1)).castTo(DataType.DOUBLE).muli(GaussianPrior.RIDGE));
        INDArray id = cov.mmul(p.invCov());
        assertThat(id.sub(Nd4j.eye(id.size(0)).castTo(DataType.DOUBLE)).amaxNumber().doubleValue()).isCloseTo(0, within(1e-6));
    }
}
