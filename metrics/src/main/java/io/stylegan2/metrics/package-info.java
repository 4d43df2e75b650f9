/** Reserved for the metrics issue; empty in the foundation release. */
package io.stylegan2.metrics;
