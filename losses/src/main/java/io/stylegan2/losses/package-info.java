/**
 * Differentiable loss terms on SameDiff graphs (LPIPS, Laplacian pyramid, adversarial, R1, global
 * cohesion, regularisers) and their weighted composition ({@link io.stylegan2.losses.CompositeLoss}).
 * A term is a static builder returning a scalar {@code SDVariable}; compose terms with weights and
 * read every term's value per step.
 */
package io.stylegan2.losses;
