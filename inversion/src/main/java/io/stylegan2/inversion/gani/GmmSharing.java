package io.stylegan2.inversion.gani;

/**
 * What one row of a module is, i.e. across what a layer's module is shared. For a conv weight
 * {@code [out, in, kH, kW]} (PyTorch layout), one of the constants below.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads.
 */
public enum GmmSharing {
    /** One row per output channel: its whole filter, {@code in * kH * kW} values ({@code out} rows). */
    FILTERS,
    /** One row per (output, input) channel pair: one {@code kH x kW} kernel ({@code out * in} rows; a toRGB 1x1 kernel is one value). */
    KERNELS
}
