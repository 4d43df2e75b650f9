/**
 * SAM, spatially-adaptive multilayer selection (Parmar et al., CVPR 2022): candidate spaces
 * ({@link io.stylegan2.inversion.sam.CandidateSpaces}), segmenters
 * ({@link io.stylegan2.inversion.sam.Segmenter}), the invertibility network and its training
 * ({@link io.stylegan2.inversion.sam.InvertibilityNetwork},
 * {@link io.stylegan2.inversion.sam.InvertibilityData},
 * {@link io.stylegan2.inversion.sam.InvertibilityTrainer}), the per-segment choice
 * ({@link io.stylegan2.inversion.sam.SpaceSelection}), the joint inversion
 * ({@link io.stylegan2.inversion.sam.JointInversion}, {@link io.stylegan2.inversion.sam.SamInverter})
 * and SAM's editing ({@link io.stylegan2.inversion.sam.SamRenderer}). See {@code inversion/SAM.md}.
 */
package io.stylegan2.inversion.sam;
