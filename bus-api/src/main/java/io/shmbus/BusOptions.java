package io.shmbus;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a bus keeps its topics and how their files are protected.
 *
 * <table>
 *     <caption>Settings</caption>
 *     <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *     <tr><td>directory</td><td>{@code /dev/shm/shmbus-<user>}, or the system property
 *     {@code shmbus.dir}</td><td>the bus directory; a tmpfs makes it fast</td></tr>
 *     <tr><td>group</td><td>none</td><td>when set, directories are created 0770 and topic files 0660 and
 *     owned by this group; otherwise 0700 and 0600, whatever the umask</td></tr>
 * </table>
 */
public final class BusOptions
{
    private final Path directory;
    private final String group;

    private BusOptions(final Builder builder)
    {
        this.directory = null != builder.directory ? builder.directory : defaultDirectory();
        this.group = builder.group;
    }

    /**
     * @return the default options.
     */
    public static BusOptions defaults()
    {
        return builder().build();
    }

    /**
     * @return a builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return {@code /dev/shm/shmbus-<user>}, or the path in the system property {@code shmbus.dir}.
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getProperty("shmbus.dir");
        if (null != configured && !configured.isBlank())
        {
            return Path.of(configured);
        }
        return Path.of("/dev/shm", "shmbus-" + System.getProperty("user.name", "user"));
    }

    /**
     * @return the bus directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the group name that shares the bus, or null for owner-only.
     */
    public String group()
    {
        return group;
    }

    @Override
    public String toString()
    {
        return "BusOptions{directory=" + directory + ", group=" + group + '}';
    }

    /**
     * Builds {@link BusOptions}.
     */
    public static final class Builder
    {
        private Path directory;
        private String group;

        private Builder()
        {
        }

        /**
         * @param directory the bus directory.
         * @return this.
         */
        public Builder directory(final Path directory)
        {
            this.directory = Objects.requireNonNull(directory);
            return this;
        }

        /**
         * @param group the group that shares the bus's files.
         * @return this.
         */
        public Builder group(final String group)
        {
            this.group = group;
            return this;
        }

        /**
         * @return the options.
         */
        public BusOptions build()
        {
            return new BusOptions(this);
        }
    }
}
