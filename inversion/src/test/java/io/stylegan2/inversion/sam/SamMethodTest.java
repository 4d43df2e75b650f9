package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Target;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sam method's options: the initial code from an encoder (the shared InitialLatent), the network's default threshold, the other model's refusal. */
class SamMethodTest {

    @Test
    void startsFromAnEncoderAndTakesTheNetworksThreshold(@TempDir Path dir) throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        Path enc = dir.resolve("encoder.safetensors");
        io.stylegan2.inversion.encoder.Encoder.random(io.stylegan2.inversion.encoder.EncoderConfig.forGenerator(g.config()).tiny(), 1).save(enc);
        Target t = new Target("garment70", FixtureModel.garment(70));
        InversionResult r = Methods.builtIn().create("sam", MethodContext.of(g).withSteps(2).withOptions(Map.of("encoder", enc.toString()))).invertOne(t, null, null);
        assertThat(r.config().get("init")).isEqualTo("encoder");
        assertThat(r.notes()).anyMatch(n -> n.equals("W+ initialised by encoder"));
        assertThat(r.config().get("tau")).isEqualTo(InvertibilityNetwork.fashionMnist32().defaultTau());
        assertThat(r.timing().steps()).isEqualTo(2);
        assertThatThrownBy(() -> Methods.builtIn().create("sam", MethodContext.of(FixtureModel.generator()).withSteps(2)))
                .hasMessageContaining("invertibility=FILE for this model");
    }
}
