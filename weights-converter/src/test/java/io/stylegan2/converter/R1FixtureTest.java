package io.stylegan2.converter;

import io.stylegan2.losses.R1Penalty;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.ParamBinding;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-written input gradient of the R1 penalty on the real NVlabs fixture discriminator
 * ({@code nv_s32_c64}, 32 px, mbstd group 4), float64: equal to SameDiff's autodiff of sum(D(x)).
 */
class R1FixtureTest {
    @Test
    void inputGradientOfTheFixtureDiscriminatorMatchesAutodiff() throws Exception {
        DiscriminatorConfig dc = DiscriminatorConfig.nvlabs(32, 3, 1024, 64);
        try (Discriminator d = Discriminator.create(dc, NvlabsParityTest.stateDict("D.state_dict.pt"), DataType.DOUBLE)) {
            INDArray all = NvlabsParityTest.npy("img_psi1.0.npy").castTo(DataType.DOUBLE);   // [4, 3, 32, 32]
            for (INDArray x : new INDArray[] {all, all.get(NDArrayIndex.interval(0, 1)).dup()}) check(d, x);
        }
    }

    private static void check(Discriminator d, INDArray x) {
        SameDiff sd = SameDiff.create();
        SDVariable img = sd.var("img", x);
        R1Penalty.Result r = R1Penalty.build(d, ParamBinding.frozen(sd, d.params(), "D/"), img, 10);
        SDVariable loss = sd.sum(r.logits());
        sd.setLossVariables(loss);
        INDArray auto = sd.calculateGradients(Map.of(), "img").get("img");
        Map<String, INDArray> out = sd.output(Map.of(), r.inputGradient().name(), r.logits().name(), r.penalty().name());
        INDArray hand = out.get(r.inputGradient().name());
        double err = hand.sub(auto).amaxNumber().doubleValue() / auto.amaxNumber().doubleValue();
        System.out.printf("nv_s32_c64 D, N=" + x.size(0) + ": input gradient max rel err %.3e, R1 (gamma 10) = %.6g%n", err, out.get(r.penalty().name()).getDouble(0));
        assertThat(err).isLessThan(1e-10);
        assertThat(out.get(r.logits().name()).sub(d.logits(x)).amaxNumber().doubleValue()).isLessThan(1e-12);
    }
}
