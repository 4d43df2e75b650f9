package io.stylegan2.converter;

/**
 * Bounds on what a foreign checkpoint may make the readers do, checked before anything is allocated
 * or traversed, so that no small crafted file can crash, hang or exhaust the process. Each limit
 * can be raised with a system property ({@code -Dstylegan2.converter.<key>=N}); {@link #current()}
 * reads them at each load.
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. {@link #current()} reads the
 * system properties at each call.
 *
 * @param maxDepth          nesting depth of the unpickled structure (lists, tuples, dicts, objects); key {@code max-depth}
 * @param maxElements       elements of the unpickled structure, counted as a tree (a container referenced
 *                          twice counts twice: what a traversal visits); key {@code max-elements}
 * @param maxPickleBytes    bytes of one pickle stream (a plain {@code .pkl} file with its embedded storages,
 *                          or a torch zip's {@code data.pkl}); key {@code max-pickle-bytes}
 * @param maxStorageBytes   bytes of one tensor storage; key {@code max-storage-bytes}
 * @param maxTotalBytes     bytes of all storages of one file together; key {@code max-total-bytes}
 * @param maxEmbeddingDepth nesting of {@code torch.storage._load_from_bytes} streams (NVIDIA pickles use 1); key {@code max-embedding-depth}
 */
public record ReaderLimits(int maxDepth, long maxElements, long maxPickleBytes, long maxStorageBytes, long maxTotalBytes, int maxEmbeddingDepth) {
    /** Prefix of the system properties. */
    public static final String PROPERTY_PREFIX = "stylegan2.converter.";

    public ReaderLimits {
        if (maxDepth < 1 || maxElements < 1 || maxPickleBytes < 1 || maxStorageBytes < 1 || maxTotalBytes < 1 || maxEmbeddingDepth < 0)
            throw new IllegalArgumentException("reader limits must be positive");
        maxStorageBytes = Math.min(maxStorageBytes, Integer.MAX_VALUE - 8);   // one Java array
        maxPickleBytes = Math.min(maxPickleBytes, Integer.MAX_VALUE - 8);
    }

    /**
     * The defaults: depth 1000 (checkpoints nest about 10 deep), 10 million elements (an NVIDIA snapshot
     * has a few thousand), 1 GiB per pickle stream (the largest public NVIDIA snapshots are about 360 MB),
     * 2 GiB per storage (one Java array), 16 GiB of storages per file, 2 levels of embedded streams.
     */
    public static ReaderLimits defaults() {
        return new ReaderLimits(1000, 10_000_000L, 1L << 30, Integer.MAX_VALUE - 8, 16L << 30, 2);
    }

    /** The defaults, each replaced by its system property when set. */
    public static ReaderLimits current() {
        ReaderLimits d = defaults();
        return new ReaderLimits((int) get("max-depth", d.maxDepth), get("max-elements", d.maxElements), get("max-pickle-bytes", d.maxPickleBytes),
                get("max-storage-bytes", d.maxStorageBytes), get("max-total-bytes", d.maxTotalBytes), (int) get("max-embedding-depth", d.maxEmbeddingDepth));
    }

    private static long get(String key, long def) {
        return io.stylegan2.core.Limits.property(PROPERTY_PREFIX + key, def, 0);
    }

    /** How to raise a limit, for error messages. */
    static String raise(String key) {
        return " (limit: raise it with -D" + PROPERTY_PREFIX + key + "=N if the file is trusted)";
    }
}
