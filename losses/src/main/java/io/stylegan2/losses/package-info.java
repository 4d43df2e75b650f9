/** Reserved for the losses issue; empty in the foundation release. */
package io.stylegan2.losses;
