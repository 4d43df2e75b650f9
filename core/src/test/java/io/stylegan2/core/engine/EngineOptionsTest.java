package io.stylegan2.core.engine;

import io.stylegan2.core.engine.EngineOptions.BiasActPath;
import io.stylegan2.core.engine.EngineOptions.ConvBackward;
import io.stylegan2.core.engine.EngineOptions.ModConvPath;
import io.stylegan2.core.engine.EngineOptions.Upfirdn2dPath;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing the engine settings from system properties and {@code STYLEGAN2_ENGINE} (no engine is installed here). */
class EngineOptionsTest {
    private static EngineOptions parse(Map<String, String> properties, String env) {
        return EngineOptions.parse(properties::get, env);
    }

    @Test
    void defaultsWhenNothingIsSet() {
        EngineOptions o = parse(Map.of("stylegan2.fixtures", "/somewhere"), null);
        assertThat(o).isEqualTo(EngineOptions.defaults());
        assertThat(o.upfirdn2d()).isEqualTo(Upfirdn2dPath.AUTO);
        assertThat(o.modconv()).isEqualTo(ModConvPath.AUTO);
        assertThat(o.biasAct()).isEqualTo(BiasActPath.AUTO);
        assertThat(o.convBackward()).isEqualTo(ConvBackward.AUTO);
        assertThat(o.javaKernels()).isTrue();
        assertThat(o.stepMemory()).isTrue();
        assertThat(o.gcEvery()).isEqualTo(50);
        assertThat(o.filterStdout()).isTrue();
        assertThat(parse(Map.of(), "  ")).isEqualTo(EngineOptions.defaults());
    }

    /** The property names the run scripts and docs use keep working, case-insensitive values. */
    @Test
    void readsTheSystemProperties() {
        EngineOptions o = parse(Map.of(
                "stylegan2.upfirdn2d", "reference",
                "stylegan2.modconv", "FUSED",
                "stylegan2.biasAct", "reference",
                "stylegan2.convBackward", " stock ",
                "stylegan2.javaKernels", "false",
                "stylegan2.stepMemory", "False",
                "stylegan2.gcEvery", "7",
                "stylegan2.filterStdout", "false"), null);
        assertThat(o).isEqualTo(new EngineOptions(Upfirdn2dPath.REFERENCE, ModConvPath.FUSED, BiasActPath.REFERENCE, ConvBackward.STOCK,
                false, false, 7, false));
        assertThat(EngineOptions.property("upfirdn2d")).isEqualTo("stylegan2.upfirdn2d");
        assertThat(EngineOptions.property("gcevery")).isEqualTo("stylegan2.gcEvery");
    }

    @Test
    void readsTheEnvironmentAndPropertiesWin() {
        String env = "upfirdn2d=conv, modconv=reference,gcEvery=0,stepmemory=false,";
        EngineOptions o = parse(Map.of(), env);
        assertThat(o.upfirdn2d()).isEqualTo(Upfirdn2dPath.CONV);
        assertThat(o.modconv()).isEqualTo(ModConvPath.REFERENCE);
        assertThat(o.gcEvery()).isZero();
        assertThat(o.stepMemory()).isFalse();
        EngineOptions both = parse(Map.of("stylegan2.upfirdn2d", "reference", "stylegan2.gcEvery", "3"), env);
        assertThat(both.upfirdn2d()).isEqualTo(Upfirdn2dPath.REFERENCE);
        assertThat(both.gcEvery()).isEqualTo(3);
        assertThat(both.modconv()).isEqualTo(ModConvPath.REFERENCE);
    }

    @Test
    void badValuesNameTheProperty() {
        assertThatThrownBy(() -> parse(Map.of("stylegan2.upfirdn2d", "fast"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stylegan2.upfirdn2d").hasMessageContaining("auto, conv, reference").hasMessageContaining("'fast'");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.modconv", "grouped"), null)).hasMessageContaining("stylegan2.modconv");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.biasAct", "fused"), null)).hasMessageContaining("stylegan2.biasAct");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.convBackward", "fast"), null)).hasMessageContaining("stylegan2.convBackward");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.javaKernels", "no"), null))
                .hasMessageContaining("stylegan2.javaKernels").hasMessageContaining("true or false");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.stepMemory", "0"), null)).hasMessageContaining("stylegan2.stepMemory");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.gcEvery", "-1"), null))
                .hasMessageContaining("stylegan2.gcEvery").hasMessageContaining(">= 0");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.gcEvery", "often"), null)).hasMessageContaining("stylegan2.gcEvery");
        assertThatThrownBy(() -> parse(Map.of("stylegan2.filterStdout", "yes"), null)).hasMessageContaining("stylegan2.filterStdout");
    }

    @Test
    void badEnvironmentEntriesNameTheVariable() {
        assertThatThrownBy(() -> parse(Map.of(), "upfirdn2d=fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STYLEGAN2_ENGINE").hasMessageContaining("upfirdn2d").hasMessageContaining("'fast'");
        assertThatThrownBy(() -> parse(Map.of(), "upfirdn=conv"))
                .hasMessageContaining("STYLEGAN2_ENGINE").hasMessageContaining("unknown setting 'upfirdn'").hasMessageContaining("upfirdn2d");
        assertThatThrownBy(() -> parse(Map.of(), "reference")).hasMessageContaining("STYLEGAN2_ENGINE").hasMessageContaining("name=value");
    }

    @Test
    void specRoundTripsAndDifferencesNameTheSettings() {
        EngineOptions o = EngineOptions.defaults().withUpfirdn2d(Upfirdn2dPath.CONV).withGcEvery(9).withFilterStdout(false);
        assertThat(o.toSpec()).isEqualTo("upfirdn2d=conv,modconv=auto,biasAct=auto,convBackward=auto,javaKernels=true,stepMemory=true,gcEvery=9,filterStdout=false");
        assertThat(parse(Map.of(), o.toSpec())).isEqualTo(o);
        assertThat(EngineOptions.defaults().differences(o)).isEqualTo("upfirdn2d=auto->conv,gcEvery=50->9,filterStdout=true->false");
        assertThat(o.differences(o)).isEmpty();
    }

    @Test
    void rejectsInvalidValues() {
        assertThatThrownBy(() -> EngineOptions.defaults().withGcEvery(-1)).hasMessageContaining("gcEvery");
        assertThatThrownBy(() -> EngineOptions.defaults().withUpfirdn2d(null)).hasMessageContaining("upfirdn2d");
    }
}
