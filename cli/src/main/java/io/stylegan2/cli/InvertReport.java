package io.stylegan2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Figures;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html} of an {@code invert} run: one self-contained page (every image inlined as a
 * {@code data:} URI, no script, no external file) with a summary table of every image's metrics,
 * then per image its {@code comparison.png}, metrics, {@code loss.png}, the strength strip of each
 * {@code --direction} and, with {@code --save-video}, the projection GIF (inlined up to
 * {@link #MAX_INLINE_GIF} bytes, else linked). It is built from the image folders on disk, so the
 * images a rerun skipped (finished earlier with the same settings) are in it too; images that
 * failed are listed with their reason.
 *
 * <p><b>Thread safety:</b> Stateless; safe from any thread (two runs on one {@code --out} are
 * prevented by {@link ResultFolders}' lock).
 */
final class InvertReport {
    /** Largest projection GIF inlined into the page; a larger one is linked by its relative path. */
    static final long MAX_INLINE_GIF = 8L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private InvertReport() {}

    /** A {@code --direction} argument, its direction, and the file its strip is written to in each image's folder. */
    record NamedDirection(String source, Direction direction, String fileName) {
        NamedDirection(String source, Direction direction, int index) {
            this(source, direction, String.format(Locale.ROOT, "edit_%d_%s.png", index, direction.name().replaceAll("[^A-Za-z0-9._-]", "_")));
        }
    }

    /** Renders {@code r} edited along {@code d} at each strength (its method's renderer, its own noise) as a labelled strip in {@code dir}. */
    static void writeEdit(Generator g, InversionResult r, NamedDirection d, double[] strengths, Path dir) throws IOException {
        INDArray imgs = Edits.strip(g, r.method(), r.reconstruction(), d.direction(), strengths);
        List<INDArray> panels = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < strengths.length; i++) {
            panels.add(imgs.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
            labels.add("strength " + number(strengths[i]));
        }
        Figures.writeLabelledRow(panels, labels, "direction " + d.direction().name() + " (" + d.direction().provenance().method() + ")",
                128, dir.resolve(d.fileName()));
    }

    /**
     * Writes {@code out/report.html} atomically and returns it.
     *
     * @param names    the run's images in order (those with a finished folder are shown)
     * @param failures images that failed, with the reason
     */
    static Path write(Path out, Map<String, Object> settings, List<String> names, Map<String, String> failures, List<NamedDirection> edits) throws IOException {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>invert report: ").append(esc(String.valueOf(settings.get("method"))))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse}"
                        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}td.name,th.name{text-align:left}"
                        + "section{margin-top:2em;border-top:2px solid #ddd}img{image-rendering:pixelated;max-width:100%}.failed{color:#b00}"
                        + "pre{background:#f8f8f8;padding:8px}</style></head><body>\n");
        h.append("<h1>invert: ").append(esc(String.valueOf(settings.get("method")))).append("</h1>\n");
        h.append("<p>Written ").append(esc(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))).append(" into <code>")
                .append(esc(out.toAbsolutePath().normalize().toString())).append("</code>. Pixel metrics: ")
                .append(esc(io.stylegan2.inversion.ReconstructionMetrics.CONVENTION)).append(".</p>\n");
        h.append("<pre>").append(esc(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(settings))).append("</pre>\n");

        Map<String, JsonNode> shown = new java.util.LinkedHashMap<>();   // each image's metrics.json, read once
        h.append("<table id=\"summary\"><tr><th class=\"name\">image</th><th>MSE</th><th>PSNR (dB)</th><th>SSIM</th><th>LPIPS</th><th>steps</th><th>seconds</th></tr>\n");
        for (String name : names) {
            JsonNode m = metrics(out.resolve(name));
            if (m == null) continue;
            shown.put(name, m);
            h.append("<tr data-image=\"").append(esc(name)).append("\"><td class=\"name\"><a href=\"#img-").append(esc(name)).append("\">").append(esc(name)).append("</a></td>")
                    .append(cell("mse", m, "%.3f")).append(cell("psnr", m, "%.2f")).append(cell("ssim", m, "%.4f")).append(cell("lpips", m, "%.4f"))
                    .append(cell("steps", m, "%.0f")).append(cell("seconds", m, "%.1f")).append("</tr>\n");
        }
        h.append("</table>\n");
        if (!failures.isEmpty()) {
            h.append("<h2 class=\"failed\">Failed</h2><ul class=\"failed\">\n");
            failures.forEach((n, why) -> h.append("<li>").append(esc(n)).append(": ").append(esc(why)).append("</li>\n"));
            h.append("</ul>\n");
        }
        for (Map.Entry<String, JsonNode> e : shown.entrySet()) {
            String name = e.getKey();
            Path dir = out.resolve(name);
            JsonNode m = e.getValue();
            h.append("<section id=\"img-").append(esc(name)).append("\"><h2>").append(esc(name)).append("</h2>\n");
            image(h, dir.resolve("comparison.png"), "comparison " + name);
            h.append("<p class=\"metrics\">").append(esc(m.path("method").asText())).append(": ");
            h.append(String.format(Locale.ROOT, "MSE %.3f, PSNR %.2f dB, SSIM %.4f", m.path("mse").asDouble(), m.path("psnr").asDouble(), m.path("ssim").asDouble()));
            if (m.has("lpips")) h.append(String.format(Locale.ROOT, ", LPIPS (%s) %.4f", esc(m.path("lpips_net").asText()), m.path("lpips").asDouble()));
            h.append(String.format(Locale.ROOT, "; %d steps in %.1f s", m.path("steps").asInt(), m.path("seconds").asDouble())).append("</p>\n");
            for (JsonNode note : m.path("notes")) h.append("<p class=\"note\">note: ").append(esc(note.asText())).append("</p>\n");
            image(h, dir.resolve("loss.png"), "loss " + name);
            for (NamedDirection d : edits) {
                h.append("<h3>").append(esc(d.direction().name())).append("</h3>\n");
                image(h, dir.resolve(d.fileName()), "edit " + d.direction().name() + " " + name);
            }
            Path gif = dir.resolve("projection.gif");
            if (Files.isRegularFile(gif)) {
                h.append("<h3>projection</h3>\n");
                if (Files.size(gif) <= MAX_INLINE_GIF) image(h, gif, "projection " + name);
                else h.append("<p><a href=\"").append(esc(name + "/projection.gif")).append("\">projection.gif</a> (").append(Files.size(gif) >> 20).append(" MB, not inlined)</p>\n");
                if (Files.isRegularFile(dir.resolve("projection.mp4")))
                    h.append("<p><a href=\"").append(esc(name + "/projection.mp4")).append("\">projection.mp4</a></p>\n");
            }
            h.append("</section>\n");
        }
        h.append("</body></html>\n");
        Path file = out.resolve("report.html");
        AtomicFiles.write(file, h.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static JsonNode metrics(Path dir) {
        Path f = dir.resolve("metrics.json");
        if (!Files.isRegularFile(f) || !Files.isRegularFile(dir.resolve("comparison.png"))) return null;
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            return null;   // a damaged folder is left out of the report, as one without metrics
        }
    }

    private static String cell(String key, JsonNode m, String fmt) {
        return m.has(key) ? "<td class=\"" + key + "\">" + String.format(Locale.ROOT, fmt, m.get(key).asDouble()) + "</td>" : "<td class=\"" + key + "\">-</td>";
    }

    private static void image(StringBuilder h, Path file, String alt) throws IOException {
        if (!Files.isRegularFile(file)) return;
        String type = file.getFileName().toString().endsWith(".gif") ? "image/gif" : "image/png";
        h.append("<p><img alt=\"").append(esc(alt)).append("\" src=\"data:").append(type).append(";base64,")
                .append(Base64.getEncoder().encodeToString(Files.readAllBytes(file))).append("\"></p>\n");
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
