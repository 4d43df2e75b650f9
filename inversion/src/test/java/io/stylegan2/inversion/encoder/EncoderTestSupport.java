package io.stylegan2.inversion.encoder;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.Generator;

import java.util.List;

final class EncoderTestSupport {
    private static Generator fixture;

    private EncoderTestSupport() {}

    /** The converted {@code nvlabs/nv_s32_c64} fixture generator (32 px, w_dim 64, 8 ws). */
    static synchronized Generator fixtureGenerator() throws Exception {
        if (fixture == null) {
            var m = Converter.load(List.of(Fixtures.path("nvlabs/nv_s32_c64")), ConvertOptions.defaults());
            fixture = Generator.create(m.generatorConfig(), m.generator());
        }
        return fixture;
    }

    /** Central difference of the graph's total loss in element {@code i} of variable {@code var} (restored afterwards). */
    static double centralDifference(EncoderGraph eg, java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> feed, String var, long i, double h) {
        org.nd4j.linalg.api.ndarray.INDArray w = eg.sd.getVariable(var).getArr();
        String lossName = eg.loss.total().name();
        double w0 = w.getDouble(i);
        w.putScalar(i, w0 + h);
        double lp = eg.sd.output(feed, lossName).get(lossName).getDouble(0);
        w.putScalar(i, w0 - h);
        double lm = eg.sd.output(feed, lossName).get(lossName).getDouble(0);
        w.putScalar(i, w0);
        return (lp - lm) / (2 * h);
    }
}
