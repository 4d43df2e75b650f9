/**
 * The engine switchboard: every change this library makes to ND4J's process-wide state (the
 * Java-kernel op executioner, the op-table replacements, the {@code System.out} filter) and every
 * engine setting (which formulation the ops build, step-memory recycling, the GC period of long
 * loops), behind one immutable {@link io.stylegan2.core.engine.EngineOptions} installed once by
 * {@link io.stylegan2.core.engine.Engine} (explicitly, or lazily on first use from the
 * {@code stylegan2.*} system properties and the {@code STYLEGAN2_ENGINE} environment variable) and
 * logged once.
 *
 * <p>The ops of {@link io.stylegan2.core.ops} read their settings from here at graph build time;
 * this package names their op subclasses in its op-table replacements (the two packages refer to
 * each other, inside {@code core}).
 */
package io.stylegan2.core.engine;
