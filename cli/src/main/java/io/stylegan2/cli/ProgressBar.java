package io.stylegan2.cli;

import io.stylegan2.core.Progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Console {@link Progress}: one line redrawn with {@code \r}, only when its text changes.
 * Disabled (a no-op) when the environment variable {@code STYLEGAN2_NO_PROGRESS} is set or there
 * is no console.
 *
 * <p><b>Thread safety:</b> Not thread-safe: the current task and last line are unguarded fields;
 * use one instance per task, from the thread that runs it (as the {@link Progress} contract has
 * it).
 */
public final class ProgressBar implements Progress {
    static final String DISABLE_ENV = "STYLEGAN2_NO_PROGRESS";
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean enabled;
    private String task = "";
    private long total = -1;
    private String last;

    public ProgressBar(PrintWriter out, boolean enabled) {
        this.out = out;
        this.enabled = enabled;
    }

    /** A bar on {@code err} if a console is attached and {@code STYLEGAN2_NO_PROGRESS} is unset. */
    public static Progress forConsole(PrintWriter err) {
        boolean on = System.console() != null && System.getenv(DISABLE_ENV) == null;
        return on ? new ProgressBar(err, true) : Progress.NONE;
    }

    @Override
    public void start(String task, long total) {
        this.task = task;
        this.total = total;
        this.last = null;
        update(0, Map.of());
    }

    @Override
    public void update(long done, Map<String, Double> values) {
        if (!enabled) return;
        String line = render(task, done, total, values);
        if (line.equals(last)) return;
        // pad to erase a longer previous line
        int pad = last == null ? 0 : Math.max(0, last.length() - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        last = line;
    }

    @Override
    public void end() {
        if (enabled && last != null) {
            out.println();
            out.flush();
        }
        last = null;
    }

    /** The line for a state, e.g. {@code generate [=========>          ] 3/8  37% loss=0.1230}. */
    static String render(String task, long done, long total, Map<String, Double> values) {
        StringBuilder sb = new StringBuilder(task);
        if (total > 0) {
            long d = Math.min(Math.max(done, 0), total);
            int filled = (int) (WIDTH * d / total);
            sb.append(" [").append("=".repeat(filled));
            if (filled < WIDTH) sb.append('>').append(" ".repeat(WIDTH - filled - 1));
            sb.append("] ").append(d).append('/').append(total)
              .append(String.format(Locale.ROOT, " %3d%%", 100 * d / total));
        } else {
            sb.append(' ').append(done);
        }
        for (Map.Entry<String, Double> e : values.entrySet())
            sb.append(' ').append(e.getKey()).append('=').append(String.format(Locale.ROOT, "%.4g", e.getValue()));
        return sb.toString();
    }
}
