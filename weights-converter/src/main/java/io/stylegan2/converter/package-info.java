/**
 * Safe conversion of StyleGAN2 checkpoints (rosinality, NVlabs state dicts, NVIDIA training
 * pickles) to the native safetensors model format ({@link io.stylegan2.stylegan.NativeModel}).
 *
 * <p>Entry points: {@link io.stylegan2.converter.Converter#convert(java.nio.file.Path, java.nio.file.Path, io.stylegan2.converter.ConvertOptions)}
 * and {@link io.stylegan2.converter.TorchFiles#load(java.nio.file.Path)}. Pickles are read by a
 * restricted unpickler with an allow-list of globals; nothing from a checkpoint is ever executed
 * ({@link io.stylegan2.converter.UnsafePickleException}).
 */
package io.stylegan2.converter;
