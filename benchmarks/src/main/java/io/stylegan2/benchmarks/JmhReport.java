package io.stylegan2.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns JMH JSON results of {@link GeneratorForwardBenchmark} into a Markdown table with ms/image
 * and achieved GFLOP/s (2 x the analytic MAC count of {@link Flops}, synthesis only).
 * {@link InversionStepBenchmark} rows get ms/step and an approximate GFLOP/s: generator fwd+bwd
 * only, taken as 3 x the synthesis forward FLOPs; LPIPS and Adam are not counted.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.stylegan2.benchmarks.JmhReport results.json}
 */
public final class JmhReport {
    private JmhReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JmhReport results.json");
            System.exit(2);
        }
        System.out.print(table(new ObjectMapper().readTree(Path.of(args[0]).toFile())));
    }

    /** The table for a JMH JSON result array. */
    public static String table(JsonNode results) {
        StringBuilder sb = new StringBuilder("| benchmark | resolution | batch | ms/batch (± err) | ms/image | GFLOP/batch | GFLOP/s |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode r : results) {
            String name = r.get("benchmark").asText();
            JsonNode p = r.get("params");
            double ms = r.get("primaryMetric").get("score").asDouble();
            double err = r.get("primaryMetric").get("scoreError").asDouble();
            String unit = r.get("primaryMetric").get("scoreUnit").asText();
            if (!unit.startsWith("ms/")) throw new IllegalArgumentException(name + ": expected ms/op scores, got " + unit);
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            if (name.contains("InversionStep") && p != null && p.has("resolution")) {
                // ms/step; GFLOP/s approximate: G fwd+bwd only, approx 3x forward; LPIPS not counted
                // (3 x synthesis forward FLOPs of BenchmarkConfigs.forInversion, batch 1, per step)
                int res = p.get("resolution").asInt();
                double gflop = 3 * Flops.generator(BenchmarkConfigs.forInversion(res), 1).synthesis() * 2 / 1e9;
                sb.append(String.format(Locale.ROOT, "| %s | %d | 1 | %.2f ± %.2f | %.2f ms/step | %.3f (G fwd+bwd ≈ 3x fwd; LPIPS not counted) | %.1f (approx) |%n",
                        shortName, res, ms, Double.isNaN(err) ? 0 : err, ms, gflop, gflop / (ms / 1e3)));
                continue;
            }
            if (p == null || !p.has("batch") || !name.contains("GeneratorForward")) {
                // other benchmarks: time only (resolution from their parameter when present)
                String res = p != null && p.has("resolution") ? p.get("resolution").asText() : "";
                sb.append(String.format(Locale.ROOT, "| %s | %s | | %.2f ± %.2f | | | |%n", shortName, res, ms, Double.isNaN(err) ? 0 : err));
                continue;
            }
            int res = p.get("resolution").asInt(), batch = p.get("batch").asInt();
            double gflop = Flops.generator(BenchmarkConfigs.forResolution(res), batch).synthesis() * 2 / 1e9;
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f ± %.2f | %.2f | %.3f | %.1f |%n",
                    shortName, res, batch, ms, Double.isNaN(err) ? 0 : err, ms / batch, gflop, gflop / (ms / 1e3)));
        }
        return sb.toString();
    }
}
