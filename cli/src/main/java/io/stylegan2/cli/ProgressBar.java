package io.stylegan2.cli;

import io.stylegan2.core.Progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Console {@link Progress}: one line with the rate and, for a task of known length, the ETA,
 * redrawn with {@code \r} when its text changes, at most every 0.1 s (the first and last states
 * always). Without a console (a log file, CI) it prints
 * a plain line every {@code STYLEGAN2_PROGRESS_INTERVAL} seconds (10 by default) instead, and a
 * last one when such a task ends, so long runs show life; short tasks print nothing. Disabled (a
 * no-op) when the environment variable {@code STYLEGAN2_NO_PROGRESS} is set. Hand-written: the
 * maintained JVM progress-bar libraries draw through their own terminal layer (JLine), more than
 * this one line needs.
 *
 * <p><b>Thread safety:</b> Not thread-safe: the current task and last line are unguarded fields;
 * use one instance per task, from the thread that runs it (as the {@link Progress} contract has
 * it).
 */
public final class ProgressBar implements Progress {
    static final String DISABLE_ENV = "STYLEGAN2_NO_PROGRESS", INTERVAL_ENV = "STYLEGAN2_PROGRESS_INTERVAL";
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean enabled;
    private final long logIntervalNanos;   // 0: redrawn bar; > 0: a plain line at most this often
    private final LongSupplier clock;
    private String task = "";
    private long total = -1, startNanos, lastOutputNanos, done;
    private Map<String, Double> values = Map.of();
    private boolean logged;
    private String last;

    /** A redrawn bar (or nothing when not {@code enabled}). */
    public ProgressBar(PrintWriter out, boolean enabled) {
        this(out, enabled, 0, System::nanoTime);
    }

    /**
     * @param logIntervalSeconds 0 for a redrawn bar; else plain lines at most this often
     * @param clock              nanoseconds (tests pass a fake one)
     */
    ProgressBar(PrintWriter out, boolean enabled, double logIntervalSeconds, LongSupplier clock) {
        this.out = out;
        this.enabled = enabled;
        this.logIntervalNanos = (long) (logIntervalSeconds * 1e9);
        this.clock = clock;
    }

    /**
     * A bar on {@code err} if a console is attached, plain periodic lines otherwise, nothing when
     * {@code STYLEGAN2_NO_PROGRESS} is set.
     */
    public static Progress forConsole(PrintWriter err) {
        if (System.getenv(DISABLE_ENV) != null) return Progress.NONE;
        if (System.console() != null) return new ProgressBar(err, true);
        double interval = 10;
        String v = System.getenv(INTERVAL_ENV);
        if (v != null && !v.isBlank()) {
            try {
                interval = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                interval = 10;
            }
        }
        return new ProgressBar(err, true, Math.max(0.1, interval), System::nanoTime);
    }

    @Override
    public void start(String task, long total) {
        this.task = task;
        this.total = total;
        this.last = null;
        this.logged = false;
        this.startNanos = this.lastOutputNanos = clock.getAsLong();
        update(0, Map.of());
    }

    @Override
    public void update(long done, Map<String, Double> values) {
        if (!enabled) return;
        this.done = done;
        this.values = values;
        long now = clock.getAsLong();
        String line = render(task, done, total, values, (now - startNanos) / 1e9);
        if (logIntervalNanos > 0) {
            if (now - lastOutputNanos < logIntervalNanos) return;
            out.println(line);
            out.flush();
            lastOutputNanos = now;
            logged = true;
            return;
        }
        if (line.equals(last)) return;
        // the rate changes with every call: redraw at most every 0.1 s, but always the first and the last state
        if (last != null && done < total && now - lastOutputNanos < 100_000_000L) return;
        lastOutputNanos = now;
        // pad to erase a longer previous line
        int pad = last == null ? 0 : Math.max(0, last.length() - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        last = line;
    }

    @Override
    public void end() {
        if (enabled && logIntervalNanos > 0 && logged) {
            out.println(render(task, done, total, values, (clock.getAsLong() - startNanos) / 1e9) + " (done)");
            out.flush();
        }
        logged = false;
        if (enabled && logIntervalNanos == 0 && last != null) {
            out.println();
            out.flush();
        }
        last = null;
    }

    /** The line for a state without timing, e.g. {@code generate [=========>          ] 3/8  37% loss=0.1230}. */
    static String render(String task, long done, long total, Map<String, Double> values) {
        return render(task, done, total, values, 0);
    }

    /**
     * The line for a state {@code elapsed} seconds into the task: with a rate ({@code 2.5 it/s} or
     * {@code 4.0 s/it}) and, for a known total, the ETA, e.g.
     * {@code invert [=====>   ] 30/100  30% 2.5 it/s ETA 0:28 loss=0.1230}.
     */
    static String render(String task, long done, long total, Map<String, Double> values, double elapsed) {
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
        if (elapsed > 0 && done > 0) {
            double rate = done / elapsed;
            sb.append(rate >= 1 ? String.format(Locale.ROOT, " %.3g it/s", rate) : String.format(Locale.ROOT, " %.3g s/it", 1 / rate));
            if (total > 0 && done < total) sb.append(" ETA ").append(clock((long) Math.ceil((total - done) / rate)));
        }
        for (Map.Entry<String, Double> e : values.entrySet())
            sb.append(' ').append(e.getKey()).append('=').append(String.format(Locale.ROOT, "%.4g", e.getValue()));
        return sb.toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String clock(long seconds) {
        long h = seconds / 3600, m = seconds / 60 % 60, sec = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
