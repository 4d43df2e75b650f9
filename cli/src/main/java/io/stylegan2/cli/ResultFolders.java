package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stylegan2.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Per-item result folders of a batch command (one folder per image under {@code --out}), written so
 * that an interrupted run never leaves a folder that looks finished and a rerun can resume:
 * <ul>
 *   <li>each folder is written as {@code .<name>.part-*} and renamed into place when complete, with a
 *       {@value #SETTINGS} holding the settings that made it (the manifest);</li>
 *   <li>a rerun skips a folder whose manifest equals the new settings, refuses one made with other
 *       settings (or without a manifest) unless forced, so results of different settings never mix;</li>
 *   <li>one run at a time per {@code --out} (a lock file, {@value #LOCK}), and the parts an interrupted
 *       run left are removed at the start of the next.</li>
 * </ul>
 */
final class ResultFolders implements AutoCloseable {
    static final String SETTINGS = "settings.json", LOCK = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** What to do with one item. */
    enum State { NEW, FINISHED_SAME, EXISTS_DIFFERENT }

    private final Path out;
    private final FileChannel channel;
    private final FileLock lock;

    private ResultFolders(Path out, FileChannel channel, FileLock lock) {
        this.out = out;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code out} for this run and removes the parts an interrupted run left.
     *
     * @throws IOException when another run holds the lock (naming the folder)
     */
    static ResultFolders open(Path out, String command) throws IOException {
        FileChannel ch = FileChannel.open(out.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new IOException("another " + command + " is writing to " + out + " (its lock " + out.resolve(LOCK) + " is held): wait for it or use another --out");
        }
        ResultFolders f = new ResultFolders(out, ch, l);
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : (Iterable<Path>) s::iterator)
                if (p.getFileName().toString().startsWith(".") && p.getFileName().toString().contains(".part-")) deleteTree(p);
        }
        return f;
    }

    /** The state of item {@code name} for {@code settings}. */
    State state(String name, Map<String, Object> settings) {
        Path dir = out.resolve(name);
        if (!Files.exists(dir)) return State.NEW;
        Path m = dir.resolve(SETTINGS);
        if (!Files.isDirectory(dir) || !Files.isRegularFile(m)) return State.EXISTS_DIFFERENT;
        try {
            return JSON.readTree(m.toFile()).equals(JSON.valueToTree(settings)) ? State.FINISHED_SAME : State.EXISTS_DIFFERENT;
        } catch (IOException e) {
            return State.EXISTS_DIFFERENT;
        }
    }

    /** Why an existing item is not reused, for the error message. */
    String whyNotReused(String name) {
        Path dir = out.resolve(name);
        if (!Files.isDirectory(dir)) return dir + " exists and is not a folder";
        if (!Files.isRegularFile(dir.resolve(SETTINGS))) return dir + " exists without a " + SETTINGS + " (not a finished result of this version)";
        return dir + " holds a result made with other settings";
    }

    /** Writes one item's files into a part folder, then renames it into place (replacing an existing item). */
    void write(String name, Map<String, Object> settings, Writer writer) throws IOException {
        Path part = Files.createTempDirectory(out, "." + name + ".part-");
        try {   // temporary folders are made rwx------; a result folder is an ordinary one
            Files.setPosixFilePermissions(part, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: keep the defaults
        }
        try {
            writer.write(part);
            Files.write(part.resolve(SETTINGS), JSON.writeValueAsBytes(settings));
            Path dir = out.resolve(name);
            if (Files.exists(dir)) {
                Path old = out.resolve("." + name + ".part-old-" + System.nanoTime());
                Files.move(dir, old);
                AtomicFiles.rename(part, dir, false);
                deleteTree(old);
            } else {
                AtomicFiles.rename(part, dir, false);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(part);
            throw e;
        }
    }

    /** Writes the files of one item into a folder. */
    @FunctionalInterface
    interface Writer {
        void write(Path dir) throws IOException;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
            Files.deleteIfExists(out.resolve(LOCK));
        }
    }
}
