/**
 * Latent editing: {@link io.stylegan2.inversion.editing.Direction directions} in W / W+ found by
 * {@link io.stylegan2.inversion.editing.GanSpace GANSpace} (PCA of W),
 * {@link io.stylegan2.inversion.editing.SeFa SeFa} (closed-form factorisation of the style affine
 * weights) and {@link io.stylegan2.inversion.editing.InterFaceGan InterFaceGAN} (linear boundary of
 * labelled latents), saved as a {@link io.stylegan2.inversion.editing.DirectionSet}, rendered with
 * {@link io.stylegan2.inversion.editing.Edits}, optionally on a weight-tuned (PTI) generator. See
 * {@code inversion/EDITING.md}.
 */
package io.stylegan2.inversion.editing;
