package io.stylegan2.cli;

import io.stylegan2.stylegan.NoiseMode;
import picocli.CommandLine.Option;

/**
 * The shared {@code --noise-mode} / {@code --noise-seed} options (a picocli mixin). The mode is
 * null when not given, so a command can tell "not given" (its own default, e.g. an inversion
 * result's noise in {@code edit}) from an explicit choice.
 */
final class NoiseOptions {
    @Option(names = "--noise-mode", paramLabel = "const|random|none",
            description = "noise inputs of every layer (default: const; edit of an inversion result: the result's own noise, "
                    + "e.g. the optimised maps of the w method; given explicitly, it replaces them for every layer)")
    NoiseMode mode;

    @Option(names = "--noise-seed", defaultValue = "0", paramLabel = "SEED",
            description = "seed of random noise (default: ${DEFAULT-VALUE}; generate: batch b uses seed + b; edit: the same maps for every strength)")
    long seed;

    /** Whether {@code --noise-mode} was given. */
    boolean given() {
        return mode != null;
    }

    /** The given mode, or {@code fallback}. */
    NoiseMode modeOr(NoiseMode fallback) {
        return mode != null ? mode : fallback;
    }
}
