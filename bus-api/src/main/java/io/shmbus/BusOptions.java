package io.shmbus;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
 *     <tr><td>transport</td><td>{@value #DEFAULT_TRANSPORT}, or the system property
 *     {@value #TRANSPORT_PROPERTY}</td><td>the name of the implementation that carries the topics:
 *     {@code shm} (shared memory, bus-impl) or {@code aeron} (bus-aeron)</td></tr>
 *     <tr><td>properties</td><td>none</td><td>settings of the transport, by name (for example
 *     {@code shmbus.aeron.channel}); a transport reads a name here first, then as a system property</td></tr>
 * </table>
 */
public final class BusOptions
{
    /**
     * The system property that names the default transport.
     */
    public static final String TRANSPORT_PROPERTY = "shmbus.transport";

    /**
     * The transport used when neither the options nor {@value #TRANSPORT_PROPERTY} name one: shared memory.
     */
    public static final String DEFAULT_TRANSPORT = "shm";

    private final Path directory;
    private final String group;
    private final String transport;
    private final Map<String, String> properties;

    private BusOptions(final Builder builder)
    {
        this.directory = null != builder.directory ? builder.directory : defaultDirectory();
        this.group = builder.group;
        this.transport = null != builder.transport ? builder.transport : defaultTransport();
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(builder.properties));
    }

    /**
     * @return the system property {@value #TRANSPORT_PROPERTY} when set, else {@value #DEFAULT_TRANSPORT}.
     */
    public static String defaultTransport()
    {
        final String configured = System.getProperty(TRANSPORT_PROPERTY);
        return null != configured && !configured.isBlank() ? configured.trim() : DEFAULT_TRANSPORT;
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

    /**
     * @return the name of the transport that {@link Bus#open(BusOptions)} selects.
     */
    public String transport()
    {
        return transport;
    }

    /**
     * @return the transport settings given to the builder, by name (unmodifiable).
     */
    public Map<String, String> properties()
    {
        return properties;
    }

    /**
     * A transport setting: the value given to {@link Builder#property(String, String)}, else the system
     * property of that name, else the default.
     *
     * @param name         the setting's name.
     * @param defaultValue returned when it is set nowhere.
     * @return the value.
     */
    public String property(final String name, final String defaultValue)
    {
        final String given = properties.get(name);
        if (null != given)
        {
            return given;
        }
        final String system = System.getProperty(name);
        return null != system ? system : defaultValue;
    }

    @Override
    public String toString()
    {
        return "BusOptions{directory=" + directory + ", group=" + group + ", transport=" + transport +
            (properties.isEmpty() ? "" : ", properties=" + properties) + '}';
    }

    /**
     * Builds {@link BusOptions}.
     */
    public static final class Builder
    {
        private Path directory;
        private String group;
        private String transport;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder()
        {
        }

        /**
         * @param transport the transport's name: {@code shm} or {@code aeron}.
         * @return this.
         */
        public Builder transport(final String transport)
        {
            if (null == transport || transport.isBlank())
            {
                throw new IllegalArgumentException("transport name must not be empty: '" + transport + "'");
            }
            this.transport = transport.trim();
            return this;
        }

        /**
         * @param name  a transport setting's name.
         * @param value its value; it takes precedence over the system property of the same name.
         * @return this.
         */
        public Builder property(final String name, final String value)
        {
            properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
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
