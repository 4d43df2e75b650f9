package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.GeneratorConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FlopsTest {
    @Test
    void tinyConfigByHand() {
        // z = w = 4, 2 mapping layers, 8x8 RGB, channels {4: 2, 8: 1}
        GeneratorConfig cfg = new GeneratorConfig(4, 4, 2, 0.01, 8, 3, Map.of(4, 2, 8, 1), null, null, "skip");
        Flops.Breakdown b = Flops.generator(cfg);
        assertThat(b.mapping()).isEqualTo(4 * 4 + 4 * 4);                         // 32
        assertThat(b.affine()).isEqualTo(4 * 2 + 4 * 2 + 4 * 2 + 4 * 1 + 4 * 1);  // 32
        assertThat(b.modulation()).isEqualTo(3 * 2 * 2 * 9 + 3 * 2 + 3 * 1 * 2 * 9 + 3 * 1 * 1 * 9 + 3 * 1); // 198
        assertThat(b.conv()).isEqualTo(2 * 2 * 9 * 16 + 1 * 2 * 9 * 64 + 1 * 1 * 9 * 64);                // 2304
        assertThat(b.toRgb()).isEqualTo(3 * 2 * 16 + 3 * 1 * 64);                                         // 288
        assertThat(b.fir()).isEqualTo(16 * 1 * 64 + 16 * 3 * 64);                                         // 4096
        assertThat(b.total()).isEqualTo(6950);
        assertThat(b.flops()).isEqualTo(13900);
        assertThat(Flops.generator(cfg, 3).total()).isEqualTo(3 * 6950);
        assertThat(b.synthesis()).isEqualTo(6950 - 32);
    }

    @Test
    void benchmarkConfigsAreValid() {
        assertThat(BenchmarkConfigs.fixture32().numWs()).isEqualTo(8);
        GeneratorConfig f = BenchmarkConfigs.configF256();
        assertThat(f.channels()).containsEntry(4, 512).containsEntry(32, 512).containsEntry(64, 256).containsEntry(256, 64);
        // conv dominates at 256^2
        Flops.Breakdown b = Flops.generator(f);
        assertThat(b.conv()).isGreaterThan(b.total() / 2);
    }
}
