package io.stylegan2.inversion;

/**
 * Wall-clock timing of one inversion.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 *
 * @param setupSeconds building graphs and statistics (e.g. the projector's {@code w} statistics)
 * @param totalSeconds everything, setup and final metrics included
 * @param steps        optimisation steps taken
 * @param msPerStep    mean milliseconds per optimisation step
 */
public record Timing(double setupSeconds, double totalSeconds, int steps, double msPerStep) {}
