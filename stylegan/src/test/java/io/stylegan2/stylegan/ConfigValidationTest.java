package io.stylegan2.stylegan;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Config values read from a model file that allocated gigabytes or drew NaN images without an
 * error (issue "Reliability and security", findings 3 and 4): each is refused naming the field.
 */
class ConfigValidationTest {
    static final Map<Integer, Integer> CH = GeneratorConfig.channelTable(16, 256, 32);

    static GeneratorConfig g(int mappingLayers, double lr, List<Double> filter, Double clamp) {
        return new GeneratorConfig(32, 32, mappingLayers, lr, 16, 3, CH, filter, clamp, "skip");
    }

    @Test
    void generatorConfigFieldsAreBounded() {
        assertThatCode(() -> g(2, 0.01, null, null)).doesNotThrowAnyException();
        assertThatCode(() -> g(2, 0.01, List.of(1.0, 2.0, 1.0), 256.0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> g(2_000_000_000, 0.01, null, null)).hasMessageContaining("mapping num_layers must be in [1, 64], got 2000000000");
        for (double lr : new double[]{0, Double.NaN, 1e30, -1, Double.POSITIVE_INFINITY})
            assertThatThrownBy(() -> g(2, lr, null, null)).hasMessageContaining("lr_multiplier");
        assertThatThrownBy(() -> g(2, 0.01, null, 0.0)).hasMessageContaining("conv_clamp");
        assertThatThrownBy(() -> g(2, 0.01, null, Double.NaN)).hasMessageContaining("conv_clamp");
        assertThatThrownBy(() -> g(2, 0.01, List.of(0.0, 0.0), null)).hasMessageContaining("resample_filter taps sum to 0");
        assertThatThrownBy(() -> g(2, 0.01, List.of(1.0, Double.NaN), null)).hasMessageContaining("non-finite tap");
        assertThatThrownBy(() -> g(2, 0.01, List.of(), null)).hasMessageContaining("1 to 64 taps");
        assertThatThrownBy(() -> new GeneratorConfig(1 << 20, 32, 2, 0.01, 16, 3, CH, null, null, "skip")).hasMessageContaining("z_dim and w_dim");
        assertThatThrownBy(() -> new GeneratorConfig(32, 32, 2, 0.01, 1 << 20, 3, CH, null, null, "skip")).hasMessageContaining("img_resolution");
        assertThatThrownBy(() -> new GeneratorConfig(32, 32, 2, 0.01, 16, 1000, CH, null, null, "skip")).hasMessageContaining("img_channels");
        assertThatThrownBy(() -> new GeneratorConfig(32, 32, 2, 0.01, 16, 3, Map.of(4, 1 << 30, 8, 8, 16, 8), null, null, "skip"))
                .hasMessageContaining("channel table");
    }

    @Test
    void discriminatorConfigFieldsAreBounded() {
        assertThatThrownBy(() -> new DiscriminatorConfig(16, 3, CH, 0, 1, null, null, "resnet")).hasMessageContaining("mbstd");
        assertThatThrownBy(() -> new DiscriminatorConfig(16, 3, CH, 4, 1, List.of(0.0), null, "resnet")).hasMessageContaining("resample_filter");
        assertThatThrownBy(() -> new DiscriminatorConfig(16, 3, CH, 4, 1, null, -1.0, "resnet")).hasMessageContaining("conv_clamp");
    }

    @Test
    void truncationPsiIsBounded() {
        assertThatCode(() -> MappingNetwork.truncationCoefficients(4, -2.5, DataType.FLOAT)).doesNotThrowAnyException();
        for (double psi : new double[]{1e308, Double.NaN, -101})
            assertThatThrownBy(() -> MappingNetwork.truncationCoefficients(4, psi, DataType.FLOAT)).hasMessageContaining("truncation_psi")
                    .hasMessageContaining(Arrays.toString(new double[]{psi}).replaceAll("[\\[\\]]", ""));
    }
}
