package io.stylegan2.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JmhReportTest {
    private static String row(String name, String params, double ms) {
        return "{\"benchmark\":\"io.stylegan2.benchmarks." + name + "\",\"params\":{" + params + "},"
                + "\"primaryMetric\":{\"score\":" + ms + ",\"scoreError\":\"NaN\",\"scoreUnit\":\"ms/op\"}}";
    }

    @Test
    void percentagesOfTheMeasuredPeaks() throws Exception {
        // sgemm 1024^3 in 21.47483648 ms = 100 GFLOP/s; copy of 2 x 256 MiB in 26.8435456 ms = 20 GB/s
        String json = "[" + String.join(",",
                row("MachineBenchmarks.sgemm", "\"n\":\"1024\"", 21.47483648),
                row("MachineBenchmarks.copy", "\"mib\":\"256\"", 26.8435456),
                row("KernelBenchmarks.modulatedConv2dForward", "\"shape\":\"256x64\",\"batch\":\"1\"",
                        2.0 * Flops.modulatedConv(1, 256, 256, 3, 64, true) / 50e9 * 1e3),
                row("KernelBenchmarks.biasAct", "\"shape\":\"32x256\"", (2.0 * 4 * 32 * 256 * 256 + 4 * 32) / 5e9 * 1e3),
                row("Unknown.bench", "\"x\":\"1\"", 3.0)) + "]";
        JsonNode results = new ObjectMapper().readTree(json);
        String t = JmhReport.table(results);
        assertThat(t).contains("sgemm 100.0 GFLOP/s, memory bandwidth 20.0 GB/s.");
        assertThat(t).contains("| KernelBenchmarks.modulatedConv2dForward | 256ch 64px b1 |").contains("| 50.0 |  | 50% sgemm |");
        assertThat(t).contains("| KernelBenchmarks.biasAct | 32ch 256px b1 |").contains("|  | 5.00 | 25% bw |");
        assertThat(t).contains("| Unknown.bench | 1 | 3.000 ± 0.000 |  |  |  |");
    }

    @Test
    void everyBenchmarkRowHasAWorkCount() {
        // every method/parameter combination the report must understand
        assertThat(KernelBenchmarks.work("upfirdn2d", java.util.Map.of("shape", "32x256", "direction", "up")).bytes())
                .isEqualTo(4.0 * (32 * 256 * 256 + 32 * 512 * 512));
        assertThat(NetworkBenchmarks.work("discriminatorForwardBackward", java.util.Map.of("resolution", "32", "batch", "4")).flops())
                .isEqualTo(2.0 * 3 * 4 * Flops.discriminator(BenchmarkConfigs.discriminator(32)));
        assertThat(MachineBenchmarks.work("add", java.util.Map.of("mib", "256")).bytes()).isEqualTo(3.0 * (256L << 20));
    }
}
