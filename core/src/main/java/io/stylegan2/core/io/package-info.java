/**
 * Tensor file I/O: numpy {@link io.stylegan2.core.io.Npy}, {@link io.stylegan2.core.io.Safetensors},
 * and {@link io.stylegan2.core.io.AtomicFiles} (write to a temporary file, then rename).
 */
package io.stylegan2.core.io;
