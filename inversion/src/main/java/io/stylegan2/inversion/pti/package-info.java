/**
 * Pivotal Tuning Inversion (Roich et al.): {@link io.stylegan2.inversion.pti.PivotalTuning} tunes the
 * synthesis weights as offsets around a pivot latent; {@link io.stylegan2.inversion.pti.TunedGenerator}
 * renders with them.
 */
package io.stylegan2.inversion.pti;
