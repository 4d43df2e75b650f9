/**
 * GAN inversion framework: {@link io.stylegan2.inversion.Inverter} (batch-first, one
 * {@link io.stylegan2.inversion.InversionOutcome} per image), {@link io.stylegan2.inversion.InversionResult}
 * and its files ({@link io.stylegan2.inversion.InversionResults}), image preparation, the method
 * registry ({@link io.stylegan2.inversion.Methods}); the optimisation projectors are in
 * {@code io.stylegan2.inversion.projector}.
 */
package io.stylegan2.inversion;
