package io.stylegan2.losses;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static io.stylegan2.losses.GradCheck.randn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

class PixelwiseAndAdversarialTest {
    @Test
    void pixelLossesMatchNaiveValuesAndGradients() {
        INDArray a = randn(1, 2, 3, 4, 4), b = randn(2, 2, 3, 4, 4);
        double[] av = a.data().asDouble(), bv = b.data().asDouble();
        double se = 0, ae = 0;
        double[] seI = new double[2], aeI = new double[2];
        for (int i = 0; i < av.length; i++) {
            double d = av[i] - bv[i];
            se += d * d;
            ae += Math.abs(d);
            seI[i / 48] += d * d / 48;
            aeI[i / 48] += Math.abs(d) / 48;
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", a.dup()), y = sd.var("y", b.dup());
        Pixelwise.mse(x, y).rename("mse");
        Pixelwise.l1(x, y).rename("l1");
        Pixelwise.msePerImage(x, y).rename("mseI");
        Pixelwise.l1PerImage(x, y).rename("l1I");
        Map<String, INDArray> out = sd.output(Map.of(), "mse", "l1", "mseI", "l1I");
        assertThat(out.get("mse").getDouble(0)).isCloseTo(se / 96, offset(1e-12));
        assertThat(out.get("l1").getDouble(0)).isCloseTo(ae / 96, offset(1e-12));
        assertThat(out.get("mseI").shape()).containsExactly(2);
        assertThat(out.get("mseI").toDoubleVector()).containsExactly(seI, offset(1e-12));
        assertThat(out.get("l1I").toDoubleVector()).containsExactly(aeI, offset(1e-12));

        for (String loss : new String[] {"mse", "l1"}) {
            GradCheck.check(sd, loss, "x");
            GradCheck.check(sd, loss, "y");
        }
        sd.math().log(Pixelwise.msePerImage(x, y)).sum().rename("perImage");
        GradCheck.check(sd, "perImage", "x");
    }

    @Test
    void softplusIsStableAndAdversarialLossesMatchNaive() {
        SameDiff sd = SameDiff.create();
        INDArray big = Nd4j.createFromArray(-1000.0, -30.0, -1.5, 0.25, 30.0, 1000.0);
        Adversarial.softplus(sd.constant(big)).rename("sp");
        double[] sp = sd.output(Map.of(), "sp").get("sp").toDoubleVector();
        double[] bv = big.toDoubleVector();
        for (int i = 0; i < bv.length; i++) {
            double e = bv[i] > 30 ? bv[i] : Math.log1p(Math.exp(bv[i]));
            assertThat(sp[i]).isCloseTo(e, offset(1e-12 * Math.max(1, Math.abs(e))));
        }
        SameDiff f32 = SameDiff.create();
        Adversarial.softplus(f32.constant(Nd4j.createFromArray(100f, -100f))).rename("sp");
        assertThat(f32.output(Map.of(), "sp").get("sp").toDoubleVector()).containsExactly(new double[] {100, 0}, offset(1e-6));

        INDArray real = randn(3, 4, 1).muli(2), fake = randn(4, 4, 1).muli(2);
        double g = 0, dF = 0, dR = 0;
        for (int i = 0; i < 4; i++) {
            g += Math.log1p(Math.exp(-fake.getDouble(i))) / 4;
            dF += Math.log1p(Math.exp(fake.getDouble(i))) / 4;
            dR += Math.log1p(Math.exp(-real.getDouble(i))) / 4;
        }
        SameDiff s = SameDiff.create();
        SDVariable r = s.var("real", real), fk = s.var("fake", fake);
        Adversarial.generatorLoss(fk).rename("g");
        Adversarial.discriminatorLoss(r, fk).rename("d");
        Map<String, INDArray> out = s.output(Map.of(), "g", "d");
        assertThat(out.get("g").getDouble(0)).isCloseTo(g, offset(1e-12));
        assertThat(out.get("d").getDouble(0)).isCloseTo(dF + dR, offset(1e-12));
        GradCheck.check(s, "g", "fake");
        GradCheck.check(s, "d", "fake");
        GradCheck.check(s, "d", "real");
    }
}
