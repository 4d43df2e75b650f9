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
}
