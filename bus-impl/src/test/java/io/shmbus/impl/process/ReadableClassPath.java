package io.shmbus.impl.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of this JVM's class path that every user can read, for child JVMs run as another user: the local Maven
 * repository usually lives in a home directory others cannot enter. Closing removes the copy.
 */
public final class ReadableClassPath implements AutoCloseable
{
    private final Path root;
    private final String classPath;

    private ReadableClassPath(final Path root, final String classPath)
    {
        this.root = root;
        this.classPath = classPath;
    }

    /**
     * Copy every entry of {@code java.class.path} (directories and jars) under a new directory in /tmp, with
     * modes 0755 for directories and 0644 for files.
     *
     * @return the copy.
     */
    public static ReadableClassPath create()
    {
        try
        {
            final Path root = Files.createTempDirectory(Path.of("/tmp"), "shmbus-classpath-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
            final List<String> entries = new ArrayList<>();
            int i = 0;
            for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator))
            {
                final Path source = Path.of(entry);
                if (!Files.exists(source))
                {
                    continue;
                }
                final Path target = root.resolve(i++ + "-" + source.getFileName());
                copy(source, target);
                entries.add(target.toString());
            }
            return new ReadableClassPath(root, String.join(java.io.File.pathSeparator, entries));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot copy the class path", ex);
        }
    }

    private static void copy(final Path source, final Path target) throws IOException
    {
        if (!Files.isDirectory(source))
        {
            Files.copy(source, target);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        Files.walkFileTree(source, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult preVisitDirectory(final Path dir, final BasicFileAttributes attrs) throws IOException
            {
                final Path copy = target.resolve(source.relativize(dir).toString());
                Files.createDirectories(copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                final Path copy = target.resolve(source.relativize(file).toString());
                Files.copy(file, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * @return the class path of the copy.
     */
    public String classPath()
    {
        return classPath;
    }

    @Override
    public void close()
    {
        io.shmbus.impl.TestBus.delete(root);
    }
}
