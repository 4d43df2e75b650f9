package io.stylegan2.core.optim;

/**
 * A learning-rate schedule: the rate of each step of a run of {@code steps} steps. A closed set:
 * constant, NVIDIA's projector ramp, cosine decay.
 *
 * <p><b>Thread safety:</b> Immutable: every implementation is a record of numbers; safe to share
 * between threads.
 */
public sealed interface Schedule permits Schedule.Constant, Schedule.NvidiaRamp, Schedule.Cosine {

    /** The learning rate of step {@code step} (0-based). */
    double at(int step);

    /** The same rate every step. */
    static Schedule constant(double lr) {
        return new Constant(lr);
    }

    /**
     * @param lr the rate
     */
    record Constant(double lr) implements Schedule {
        public Constant {
            if (!(lr >= 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }

        @Override
        public double at(int step) {
            return lr;
        }
    }

    /**
     * The StyleGAN2-ADA projector's schedule ({@code projector.py}): with {@code t = step / steps},
     * {@code peak * min(1, t / rampUp) * (0.5 - 0.5 cos(pi * min(1, (1 - t) / rampDown)))}: a linear
     * warm-up over the first {@code rampUp} of the run and a cosine ramp-down over the last {@code rampDown}.
     *
     * @param peak     the peak rate (0.1 in the projector)
     * @param rampUp   fraction of the run for the warm-up (0.05)
     * @param rampDown fraction of the run for the ramp-down (0.25)
     * @param steps    length of the run
     */
    record NvidiaRamp(double peak, double rampUp, double rampDown, int steps) implements Schedule {
        public NvidiaRamp {
            if (!(peak > 0) || !Double.isFinite(peak)) throw new IllegalArgumentException("peak learning rate must be > 0, got " + peak);
            if (!(rampUp > 0 && rampDown > 0)) throw new IllegalArgumentException("ramp lengths must be > 0, got " + rampUp + ", " + rampDown);
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }

        @Override
        public double at(int step) {
            double t = (double) step / steps;
            double down = Math.min(1.0, (1.0 - t) / rampDown);
            double ramp = 0.5 - 0.5 * Math.cos(down * Math.PI);
            ramp *= Math.min(1.0, t / rampUp);
            return peak * ramp;
        }
    }

    /**
     * Cosine decay from {@code peak} to {@code floor} over {@code steps} steps:
     * {@code floor + (peak - floor) * 0.5 (1 + cos(pi step / steps))}.
     */
    record Cosine(double peak, double floor, int steps) implements Schedule {
        public Cosine {
            if (!(peak >= floor && floor >= 0) || !Double.isFinite(peak)) throw new IllegalArgumentException("need peak >= floor >= 0, got " + peak + ", " + floor);
            if (steps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }

        @Override
        public double at(int step) {
            double t = Math.min(1.0, (double) step / steps);
            return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
        }
    }
}
