package io.stylegan2.inversion;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.inversion.nearperfect.DiscriminatorMode;
import io.stylegan2.inversion.nearperfect.NearPerfectOptions;
import io.stylegan2.inversion.wplus.WPlusProjector;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The method registry (ServiceLoader providers), the shared option parser, and a method added as a plug-in. */
class MethodPluginTest {

    /** A whole method in one class: options record, factory; it draws through the shared renderer. */
    record EchoOptions(int copies, double scale, DiscriminatorMode mode, Path file, Integer maybe, boolean flag) {
        EchoOptions {
            if (copies < 1) throw new IllegalArgumentException("copies must be >= 1, got " + copies);
        }
    }

    static final class EchoMethod implements InversionMethod<EchoOptions> {
        @Override public String name() { return "echo"; }
        @Override public String description() { return "returns w_avg (a test method)"; }
        @Override public EchoOptions defaults() { return new EchoOptions(1, 0.5, DiscriminatorMode.FROZEN, null, null, false); }
        @Override public Inverter create(MethodContext c, EchoOptions o) {
            return new Inverter() {
                @Override public String name() { return "echo"; }
                @Override public InversionResult invertOne(Target t, Progress p, CancellationToken cancel) {
                    Reconstruction r = Reconstruction.of(Latent.w(c.generator().wAvg(), c.generator().config()));
                    return io.stylegan2.inversion.engine.Results.finish("echo", t, c.generator(), r, c.perceptual(), MethodOptions.asMap(o), List.of(),
                            0, 0, 0, List.of(), System.nanoTime());
                }
            };
        }
    }

    @Test
    void builtInMethodsAreFoundByServiceLoader() throws Exception {
        Methods m = Methods.builtIn();
        assertThat(m.names()).containsExactly("w", "wplus", "pti", "gani", "encoder", "near-perfect", "padinv-opt", "padinv", "pmsfc", "mganprior", "sam");
        Inverter w = m.create("wplus", MethodContext.of(FixtureModel.generator()).withSteps(7));
        assertThat(w.name()).isEqualTo("wplus");
        assertThat(((WPlusProjector) w).config().steps()).isEqualTo(7);
        Inverter w2 = m.create("wplus", MethodContext.of(FixtureModel.generator()).withOptions(Map.of("steps", "9", "learning-rate", "0.5")));
        assertThat(((WPlusProjector) w2).config().steps()).isEqualTo(9);
        assertThat(((WPlusProjector) w2).config().learningRate()).isEqualTo(0.5);
        assertThatThrownBy(() -> m.get("nope")).hasMessageContaining("unknown inversion method 'nope'").hasMessageContaining("w, wplus, pti, gani, encoder, near-perfect, padinv-opt, padinv");
        assertThatThrownBy(() -> m.create("wplus", MethodContext.of(FixtureModel.generator()).withOptions(Map.of("stpes", "9"))))
                .hasMessageContaining("wplus: unknown option 'stpes'").hasMessageContaining("known: steps, learning-rate");
        // every built-in method lists its options with defaults
        for (String n : m.names()) assertThat(m.options(n)).as(n).isNotEmpty();
        assertThat(m.options("near-perfect")).extracting(MethodOptions.Option::key)
                .contains("encoder", "init", "init-steps", "lr", "adv", "global", "d-lr", "r1-interval", "target-mse", "pyramid-levels");
    }

    @Test
    void aMethodIsOnePlugInWithATypedOptionsRecord() throws Exception {
        Methods m = Methods.builtIn().with(new EchoMethod());
        assertThat(m.names()).containsExactly("w", "wplus", "pti", "gani", "encoder", "near-perfect", "padinv-opt", "padinv", "pmsfc", "mganprior", "sam", "echo");
        assertThat(Methods.builtIn().names()).hasSize(11);
        Target t = FixtureModel.target("t", 1, 0.7);
        InversionResult r = m.create("echo", MethodContext.of(FixtureModel.generator()).withOptions(Map.of("copies", "3", "scale", "2.5", "mode", "Alternating", "file", "a/b.txt", "maybe", "none", "flag", "yes"))).invertOne(t, null, null);
        assertThat(r.config()).containsEntry("copies", 3).containsEntry("scale", 2.5).containsEntry("mode", "ALTERNATING")
                .containsEntry("file", "a/b.txt").containsEntry("flag", true);
        assertThat(r.space()).isEqualTo(LatentSpace.W);
        assertThat(m.options("echo")).extracting(MethodOptions.Option::key).containsExactly("copies", "scale", "mode", "file", "maybe", "flag");
        assertThat(m.options("echo").get(2).type()).isEqualTo("frozen|alternating");
        MethodContext bad = MethodContext.of(FixtureModel.generator()).withOptions(Map.of("copies", "x"));
        assertThatThrownBy(() -> m.create("echo", bad)).hasMessageContaining("echo option copies=x: not an integer");
        assertThatThrownBy(() -> m.create("echo", bad.withOptions(Map.of("copies", "0")))).hasMessageContaining("echo: copies must be >= 1");
        assertThatThrownBy(() -> m.create("echo", bad.withOptions(Map.of("mode", "sometimes")))).hasMessageContaining("mode=sometimes: must be one of frozen, alternating");
        assertThatThrownBy(() -> m.create("echo", bad.withOptions(Map.of("flag", "perhaps")))).hasMessageContaining("expected true or false");
    }

    @Test
    void kebabCaseKeys() {
        assertThat(MethodOptions.kebab("r1Interval")).isEqualTo("r1-interval");
        assertThat(MethodOptions.kebab("dLr")).isEqualTo("d-lr");
        assertThat(MethodOptions.kebab("steps")).isEqualTo("steps");
        NearPerfectOptions o = MethodOptions.parse("near-perfect", Map.of("d-lr", "0.5", "pyramid-norm", "l2", "discriminator", "frozen"),
                NearPerfectOptions.defaults());
        assertThat(o.dLr()).isEqualTo(0.5);
        assertThat(o.config(32, 10).pyramidFor(32).norm().name()).isEqualTo("L2");
        assertThat(o.config(32, 10).discriminator()).isEqualTo(DiscriminatorMode.FROZEN);
    }
}
