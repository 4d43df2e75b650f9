/**
 * LPIPS v0.1 perceptual distance ({@link io.stylegan2.losses.lpips.Lpips}) on the torchvision
 * AlexNet, VGG16 and SqueezeNet 1.1 trunks ({@link io.stylegan2.losses.lpips.LpipsNet}), as
 * differentiable SameDiff graphs with frozen weights, read from a native safetensors file
 * ({@code format=lpips-jvm/1}). Weights are never downloaded at run time: convert the official
 * files once with {@code io.stylegan2.converter.LpipsConverter} (module weights-converter).
 */
package io.stylegan2.losses.lpips;
