package io.stylegan2.inversion.pti;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.losses.Pixelwise;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Real fixtures for the PTI tests: the nv_s32_c64 generator, the LPIPS fixture photos, the fixture LPIPS-alex. */
final class PtiFixtures {
    private PtiFixtures() {}

    static Generator generator() throws IOException {
        NativeModel m = Converter.load(List.of(Fixtures.path("nvlabs/nv_s32_c64")), ConvertOptions.defaults());
        return Generator.create(m.generatorConfig(), m.generator());
    }

    /** Fixture photo {@code i} of lpips_img0.npy (64x64, [-1, 1]) area-downsampled to {@code res}: {@code [1, 3, res, res]}. */
    static INDArray photo(int i, int res) throws IOException {
        return io.stylegan2.inversion.FixtureModel.photo(i, res);
    }

    /** LPIPS-alex of the fixtures: the seeded AlexNet trunk with the official lin heads (alex.pth). */
    static Lpips lpipsAlex() throws IOException {
        return io.stylegan2.inversion.FixtureModel.lpipsAlex();
    }

    static double mse(INDArray a, INDArray b) {
        INDArray d = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE));
        return d.mul(d).meanNumber().doubleValue();
    }

    /**
     * A quick W+ pivot: Adam on W+ from the w_avg code, loss mse + perceptual, const noise
     * (a stand-in for a projector; PTI's own pivot is a W projector run of 450 steps).
     */
    static INDArray wPlusPivot(Generator g, INDArray target, BiFunction<SDVariable, SDVariable, SDVariable> perceptual, int steps, double lr) {
        var cfg = g.config();
        SameDiff sd = SameDiff.create();
        INDArray w0 = g.wAvg().reshape(1, 1, cfg.wDim()).repeat(1, cfg.numWs()).reshape(1, cfg.numWs(), cfg.wDim()).dup('c');
        SDVariable ws = sd.var("ws", w0);
        SDVariable img = g.synthesisNetwork().build(ParamBinding.frozen(sd, g.params(), ""), ws, NoiseMode.CONST, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image();
        SDVariable tgt = sd.constant("target", target.castTo(DataType.FLOAT));
        SDVariable loss = Pixelwise.mse(img, tgt).add(perceptual.apply(img, tgt).mean()).rename("loss");
        sd.setLossVariables(loss);
        Adam adam = new Adam(sd, List.of("ws"));
        for (int i = 0; i < steps; i++) adam.step(sd.calculateGradients(Map.of(), adam.names()), lr);
        return sd.getVariable("ws").getArr().dup();
    }

    /** W+ of w_avg, {@code [1, num_ws, w_dim]}. */
    static INDArray wAvgPlus(Generator g) {
        var cfg = g.config();
        return g.wAvg().reshape(1, 1, cfg.wDim()).repeat(1, cfg.numWs()).reshape(1, cfg.numWs(), cfg.wDim()).dup('c');
    }

    static INDArray zerosLike(INDArray a) {
        return Nd4j.zeros(a.dataType(), a.shape());
    }
}
