package io.stylegan2.converter;

/** An unpickled tensor before its storage bytes are resolved. */
final class TensorRef {
    final TorchStorage storage;
    final long offset;
    final long[] size;
    final long[] stride;

    TensorRef(TorchStorage storage, long offset, long[] size, long[] stride) {
        this.storage = storage;
        this.offset = offset;
        this.size = size;
        this.stride = stride;
    }
}
