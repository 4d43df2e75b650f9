package io.stylegan2.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into one Markdown table: benchmark, shape,
 * ms/op, GFLOP/s, GB/s and the percentage of the machine's measured limit, taken from the
 * {@link MachineBenchmarks} rows of the same file: the best {@code sgemm} GFLOP/s for
 * compute-bound rows, the best {@code copy}/{@code add} GB/s for memory-bound rows
 * ({@link Work.Bound}). The analytic work of each row comes from the {@code work(method, params)}
 * method of its benchmark class; rows of unknown classes get the time only.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.stylegan2.benchmarks.JmhReport results.json}
 *
 * <p><b>Thread safety:</b> Stateless (the static table of work counters is an immutable map); every
 * method is safe to call from any thread.
 */
public final class JmhReport {
    private JmhReport() {}

    /** Work counters by benchmark class simple name. */
    private static final Map<String, BiFunction<String, Map<String, String>, Work>> WORK = Map.of(
            "KernelBenchmarks", KernelBenchmarks::work,
            "MachineBenchmarks", MachineBenchmarks::work,
            "NetworkBenchmarks", NetworkBenchmarks::work,
            "GeneratorForwardBenchmark", GeneratorForwardBenchmark::work,
            "InversionStepBenchmark", InversionStepBenchmark::work,
            "TrainingStepBenchmark", TrainingStepBenchmark::work,
            "LossBenchmarks", LossBenchmarks::work);

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JmhReport results.json");
            System.exit(2);
        }
        System.out.print(table(new ObjectMapper().readTree(Path.of(args[0]).toFile())));
    }

    /** One result row with its work. */
    record Row(String name, double ms, double err, Work work) {
        double gflops() {
            return work.flops() > 0 ? work.flops() / 1e9 / (ms / 1e3) : Double.NaN;
        }

        double gbps() {
            return work.bytes() > 0 ? work.bytes() / 1e9 / (ms / 1e3) : Double.NaN;
        }
    }

    /** The rows of a JMH JSON result array. */
    static List<Row> rows(JsonNode results) {
        List<Row> rows = new ArrayList<>();
        for (JsonNode r : results) {
            String full = r.get("benchmark").asText();
            JsonNode pm = r.get("primaryMetric");
            String unit = pm.get("scoreUnit").asText();
            if (!unit.equals("ms/op")) throw new IllegalArgumentException(full + ": expected ms/op scores (-bm avgt -tu ms), got " + unit);
            String[] parts = full.split("\\.");
            String cls = parts[parts.length - 2], method = parts[parts.length - 1];
            Map<String, String> params = new LinkedHashMap<>();
            JsonNode p = r.get("params");
            if (p != null) for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                params.put(e.getKey(), e.getValue().asText());
            }
            BiFunction<String, Map<String, String>, Work> w = WORK.get(cls);
            Work work = w != null ? w.apply(method, params) : Work.timeOnly(String.join(" ", params.values()));
            double err = pm.get("scoreError").asDouble();
            rows.add(new Row(cls + "." + method, pm.get("score").asDouble(), Double.isNaN(err) ? 0 : err, work));
        }
        return rows;
    }

    /** The Markdown table (with a header line naming the peaks) for a JMH JSON result array. */
    public static String table(JsonNode results) {
        List<Row> rows = rows(results);
        double peakFlops = rows.stream().filter(r -> r.work().bound() == Work.Bound.PEAK_COMPUTE).mapToDouble(Row::gflops).max().orElse(Double.NaN);
        double peakBw = rows.stream().filter(r -> r.work().bound() == Work.Bound.PEAK_MEMORY).mapToDouble(Row::gbps).max().orElse(Double.NaN);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Peaks from this file: sgemm %s, memory bandwidth %s.%n%n",
                Double.isNaN(peakFlops) ? "not measured" : fmt(peakFlops, 1) + " GFLOP/s",
                Double.isNaN(peakBw) ? "not measured" : fmt(peakBw, 1) + " GB/s"));
        sb.append("| benchmark | shape | ms/op (± err) | GFLOP/s | GB/s | % of peak |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            String pct = switch (r.work().bound()) {
                case COMPUTE, PEAK_COMPUTE -> pct(r.gflops(), peakFlops, "sgemm");
                case MEMORY, PEAK_MEMORY -> pct(r.gbps(), peakBw, "bw");
                case NONE -> "";
            };
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f ± %.3f | %s | %s | %s |%n",
                    r.name(), r.work().shape(), r.ms(), r.err(), fmt(r.gflops(), 1), fmt(r.gbps(), 2), pct));
        }
        return sb.toString();
    }

    private static String pct(double v, double peak, String of) {
        return Double.isNaN(v) || Double.isNaN(peak) ? "" : String.format(Locale.ROOT, "%.0f%% %s", 100 * v / peak, of);
    }

    private static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
