/**
 * Near-perfect GAN inversion (Feng, Shah, Gadde, Perona, Martinez, arXiv 2202.11833): start from a
 * latent found by an encoder (or any saved inversion result) and fine-tune the generator's
 * synthesis weights, as offsets on the frozen original, with a Laplacian-pyramid reconstruction
 * loss, a local adversarial term on the reconstruction and a global cohesion term on fresh samples.
 * {@link io.stylegan2.inversion.nearperfect.NearPerfectTuning} is the algorithm,
 * {@link io.stylegan2.inversion.nearperfect.NearPerfectInverter} the registry method
 * ({@code near-perfect}), {@link io.stylegan2.inversion.nearperfect.TuningReport} the drift / realism report.
 */
package io.stylegan2.inversion.nearperfect;
