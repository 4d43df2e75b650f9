/**
 * Pivotal Tuning Inversion (Roich et al.), the {@code pti} method: {@link io.stylegan2.inversion.pti.PivotalTuning}
 * tunes the synthesis weights as offsets around a pivot latent (the engine's
 * {@link io.stylegan2.inversion.engine.PivotTuningInverter} finds the pivot and packs the result), {@link io.stylegan2.inversion.pti.PtiMethod} is the plug-in.
 */
package io.stylegan2.inversion.pti;
