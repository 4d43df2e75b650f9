/**
 * GANI, gradient adjusting networks (Sheffi, Rotman, Wolf, SCIA 2023), the {@code gani} method:
 * {@link io.stylegan2.inversion.gani.GradientModules} are the per-layer modules (a weight override),
 * {@link io.stylegan2.inversion.gani.GaniTuning} trains them around a pivot
 * (the engine's {@link io.stylegan2.inversion.engine.PivotTuningInverter} finds the pivot and packs the result),
 * {@link io.stylegan2.inversion.gani.GaniMethod} is the plug-in. See inversion/GANI.md.
 */
package io.stylegan2.inversion.gani;
