package io.stylegan2.converter;

import io.stylegan2.core.io.TensorBytes;

import java.nio.ByteOrder;

/** A torch storage: element type, element count and (once loaded) its raw bytes. Package-private data holder. */
final class TorchStorage {
    final String key;
    final TensorBytes.ElementType type;
    final long numel;
    byte[] data;
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    TorchStorage(String key, TensorBytes.ElementType type, long numel) {
        this.key = key;
        this.type = type;
        this.numel = numel;
    }
}
