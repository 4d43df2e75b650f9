package io.stylegan2.inversion;

import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.inversion.editing.Provenance;
import io.stylegan2.inversion.encoder.Encoder;
import io.stylegan2.inversion.encoder.EncoderConfig;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For every shipped method: the result saved and loaded back, edited at strength 0 through the
 * editing code (the one renderer), reproduces the saved reconstruction exactly, whatever the method
 * keeps (the {@code w} method's optimised noise maps, PTI's, GANI's and near-perfect's weight offsets).
 */
class StrengthZeroTest {
    static Lpips alex;
    @TempDir static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        alex = FixtureModel.lpipsAlex();
    }

    @AfterAll
    static void tearDown() {
        alex.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"w", "wplus", "pti", "gani", "encoder", "near-perfect"})
    void editAtStrengthZeroReproducesTheSavedReconstruction(String method) throws Exception {
        Generator g = FixtureModel.generator();
        Map<String, String> options = new HashMap<>();
        switch (method) {
            case "w" -> options.put("w-avg-samples", "500");
            case "pti", "gani" -> options.put("pivot-steps", "2");
            case "encoder" -> {
                Path enc = dir.resolve("encoder.safetensors");
                Encoder.random(EncoderConfig.forGenerator(g.config()).tiny(), 3).save(enc);
                options.put("encoder", enc.toString());
                options.put("iterations", "1");
            }
            case "near-perfect" -> {
                options.put("init-steps", "2");
                options.put("samples", "2");
                options.put("report-samples", "0");
            }
            default -> { }
        }
        MethodContext ctx = MethodContext.of(g).withPerceptual(alex).withSteps(3).withOptions(options).withDiscriminator(FixtureModel::discriminator);
        Target t = new Target("photo1", FixtureModel.photo(1, 32));
        InversionResult r = Methods.builtIn().create(method, ctx).invertOne(t, null, null);
        Path f = dir.resolve(method + ".safetensors");
        InversionResults.save(r, f);
        InversionResult back = InversionResults.load(f);

        Direction zero = Direction.w("zero", Nd4j.zeros(DataType.DOUBLE, g.config().wDim()), Provenance.of("test"));
        INDArray strip = Edits.strip(g, back.reconstruction(), zero, new double[]{0.0});
        assertThat(strip).as(method).isEqualTo(back.image());
        assertThat(back.image()).isEqualTo(r.image());
        // what each method keeps to redraw its image
        switch (method) {
            case "w" -> assertThat(back.reconstruction().hooks().noise()).hasSize(g.synthesisNetwork().convLayers().size());
            case "pti", "gani", "near-perfect" -> assertThat(back.reconstruction().weightOffsets()).isNotEmpty();
            default -> assertThat(back.reconstruction().weightOffsets()).isEmpty();
        }
    }
}
