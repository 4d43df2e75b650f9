/** Reserved for the inversion issue; empty in the foundation release. */
package io.stylegan2.inversion;
