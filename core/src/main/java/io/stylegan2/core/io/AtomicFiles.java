package io.stylegan2.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Atomic file output: the content is written to a temporary file in the target's folder, flushed,
 * and then renamed over the target. On any failure the temporary file is deleted, so a reader
 * never sees a partial file and a failed write leaves no output behind. A temporary file still being
 * written when the JVM shuts down (Ctrl-C, SIGTERM) is deleted by a shutdown hook; those a killed
 * process left ({@code .<name>.*.tmp}, untouched for {@value #STALE_MINUTES} minutes) are removed by
 * the next write of the same target.
 *
 * <p><b>Thread safety:</b> Thread-safe: the only static state, the set of temporary files in
 * flight, is a concurrent set; each write has its own temporary file, so concurrent writes of one
 * target never mix (the last rename wins).
 */
public final class AtomicFiles {
    /** Minutes without a change after which another process's temporary file of the same target counts as abandoned. */
    public static final int STALE_MINUTES = 10;
    private static final java.util.Set<Path> IN_FLIGHT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Path p : IN_FLIGHT) {
                try { Files.deleteIfExists(p); } catch (IOException ignored) { /* best effort at exit */ }
            }
        }, "atomic-files-cleanup"));
    }

    private AtomicFiles() {}

    /** Removes temporary files of {@code target} that a killed process left (unchanged for {@value #STALE_MINUTES} minutes). */
    static void removeStale(Path dir, String name) {
        String prefix = "." + name + ".";
        long cutoff = System.currentTimeMillis() - STALE_MINUTES * 60_000L;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(".tmp") && !IN_FLIGHT.contains(p) && Files.isRegularFile(p)
                        && Files.getLastModifiedTime(p).toMillis() < cutoff)
                    Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a stale file left is not an error of this write
        }
    }

    /** Writes the content to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically.
     *
     * @param target the final file (its parent folder is created if needed)
     * @param writer writes the whole content; it must not close the stream
     * @throws IOException if writing or renaming fails (no temporary file is left behind)
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        if (dir != null) removeStale(dir, abs.getFileName().toString());
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        IN_FLIGHT.add(tmp);
        boolean ok = false;
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                 java.io.BufferedOutputStream out = new java.io.BufferedOutputStream(os, 1 << 20)) {
                writer.write(out);
                out.flush();
            }
            setOrdinaryPermissions(tmp, abs);
            rename(tmp, abs, true);
            ok = true;
        } catch (RuntimeException | Error e) {
            throw e;
        } finally {
            if (!ok) {
                try { Files.deleteIfExists(tmp); } catch (IOException ignored) { /* best effort */ }
            }
            IN_FLIGHT.remove(tmp);
        }
    }

    /** Renames {@code from} to {@code to}, atomically where the file system can (replacing {@code to} when {@code replace}). */
    public static void rename(Path from, Path to, boolean replace) throws IOException {
        StandardCopyOption[] opts = replace ? new StandardCopyOption[]{StandardCopyOption.REPLACE_EXISTING} : new StandardCopyOption[0];
        try {
            StandardCopyOption[] atomic = java.util.Arrays.copyOf(opts, opts.length + 1);
            atomic[opts.length] = StandardCopyOption.ATOMIC_MOVE;
            Files.move(from, to, atomic);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, opts);
        }
    }

    /**
     * Moves a finished temporary file (one this process wrote, e.g. an encoder's streamed output)
     * to {@code target}, replacing it, with ordinary permissions (those of the file it replaces, or
     * {@code rw-r--r--}), atomically where the file system can.
     */
    public static void publish(Path tmp, Path target) throws IOException {
        setOrdinaryPermissions(tmp, target.toAbsolutePath());
        rename(tmp, target, true);
    }

    /**
     * Temp files are created 0600; give the result the permissions of the file it replaces, or
     * {@code rw-r--r--} for a new file (ignored on file systems without POSIX permissions).
     */
    private static void setOrdinaryPermissions(Path tmp, Path target) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                    ? Files.getPosixFilePermissions(target)
                    : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
            Files.setPosixFilePermissions(tmp, perms);
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: keep the defaults
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }
}
