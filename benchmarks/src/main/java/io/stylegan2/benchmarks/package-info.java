/** JMH benchmarks (never a dependency of anything). */
package io.stylegan2.benchmarks;
