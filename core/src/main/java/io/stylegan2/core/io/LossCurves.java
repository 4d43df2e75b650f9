package io.stylegan2.core.io;


import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Draws a per-step loss history (an inversion result's or a training run's) as a line chart with
 * java.awt:
 * axes with tick labels, one coloured line per term and a legend; linear or log10 y axis. Terms named
 * in {@code exclude} (by default {@code lr} and {@code latent_noise}, which are not losses) are left out.
 *
 * <p><b>Thread safety:</b> Stateless (the static palette and term set are immutable); every method
 * is safe to call from any thread, given a history no thread mutates meanwhile.
 */
public final class LossCurves {
    /** Not drawn by default: schedule values, not losses. */
    public static final Set<String> NOT_LOSSES = Set.of("lr", "latent_noise");

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private LossCurves() {}

    /** Renders the chart. With {@code logScale}, non-positive values are skipped. */
    public static BufferedImage render(List<Map<String, Double>> history, String title, boolean logScale, int width, int height) {
        Set<String> terms = drawnTerms(history, logScale);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            int left = 70, right = 130, top = 28, bottom = 40;
            int pw = width - left - right, ph = height - top - bottom;
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (Map<String, Double> h : history)
                for (String t : terms) {
                    Double v = h.get(t);
                    if (v == null || !Double.isFinite(v) || (logScale && v <= 0)) continue;
                    double y = logScale ? Math.log10(v) : v;
                    lo = Math.min(lo, y);
                    hi = Math.max(hi, y);
                }
            if (!(lo <= hi)) { lo = 0; hi = 1; }
            if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
            int n = Math.max(history.size(), 2);
            g.setColor(Color.BLACK);
            g.drawString(title + (logScale ? " (log10 scale)" : ""), left, 18);
            g.drawLine(left, top, left, top + ph);
            g.drawLine(left, top + ph, left + pw, top + ph);
            // y ticks
            for (int i = 0; i <= 5; i++) {
                double y = lo + (hi - lo) * i / 5;
                int py = top + ph - (int) Math.round(ph * (y - lo) / (hi - lo));
                g.setColor(new Color(0xe0e0e0));
                g.drawLine(left + 1, py, left + pw, py);
                g.setColor(Color.BLACK);
                g.drawLine(left - 4, py, left, py);
                String label = logScale ? format(Math.pow(10, y)) : format(y);
                g.drawString(label, left - 6 - g.getFontMetrics().stringWidth(label), py + 4);
            }
            // x ticks (steps)
            for (int i = 0; i <= 5; i++) {
                int step = (int) Math.round((double) (n - 1) * i / 5);
                int px = left + (int) Math.round((double) pw * step / (n - 1));
                g.drawLine(px, top + ph, px, top + ph + 4);
                String label = Integer.toString(step + 1);
                g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, top + ph + 17);
            }
            g.drawString("step", left + pw / 2 - 10, top + ph + 33);
            // lines and legend
            int k = 0;
            g.setStroke(new BasicStroke(1.5f));
            for (String t : terms) {
                Color c = PALETTE[k % PALETTE.length];
                Path2D.Double path = new Path2D.Double();
                boolean started = false;
                for (int i = 0; i < history.size(); i++) {
                    Double v = history.get(i).get(t);
                    if (v == null || !Double.isFinite(v) || (logScale && v <= 0)) { started = false; continue; }
                    double y = logScale ? Math.log10(v) : v;
                    double px = left + pw * (double) i / (n - 1), py = top + ph - ph * (y - lo) / (hi - lo);
                    if (started) path.lineTo(px, py); else path.moveTo(px, py);
                    started = true;
                }
                g.setColor(c);
                g.draw(path);
                int ly = top + 12 + 16 * k;
                g.fillRect(left + pw + 12, ly - 6, 14, 3);
                g.setColor(Color.BLACK);
                g.drawString(t, left + pw + 30, ly);
                k++;
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * The terms that get a line and a legend entry: every loss term with at least one plottable
     * value (finite, and positive on a log scale); a term that is, say, 0 throughout on a log scale
     * is left out of the legend too.
     */
    static Set<String> drawnTerms(List<Map<String, Double>> history, boolean logScale) {
        Set<String> terms = new LinkedHashSet<>();
        for (Map<String, Double> h : history)
            h.forEach((k, v) -> {
                if (!NOT_LOSSES.contains(k) && v != null && Double.isFinite(v) && (!logScale || v > 0)) terms.add(k);
            });
        return terms;
    }

    /** Renders and writes a PNG atomically. */
    public static void writePng(List<Map<String, Double>> history, String title, boolean logScale, Path file) throws IOException {
        Images.writeAtomically(render(history, title, logScale, 640, 400), "png", file);
    }

    private static String format(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        return a >= 1e4 || a < 1e-2 ? String.format(Locale.ROOT, "%.1e", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** The terms a chart of {@code history} shows, in order. */
    public static List<String> terms(List<Map<String, Double>> history) {
        Set<String> terms = new LinkedHashSet<>();
        for (Map<String, Double> h : history) for (String k : h.keySet()) if (!NOT_LOSSES.contains(k)) terms.add(k);
        return new ArrayList<>(terms);
    }
}
