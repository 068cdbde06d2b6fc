package io.shmbus;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Where an anonymous topic is offered to other processes, and to whom.
 *
 * <p>The owner listens on a Unix domain socket. A process that connects is identified by the kernel
 * ({@code SO_PEERCRED}: its uid, gid and pid, which it cannot forge) and receives the topic's descriptor only
 * if its uid or gid is allowed; by default only processes of the owner's own uid are.
 *
 * <pre>{@code
 * ShareOptions.abstractName("quotes-feed").allowUid(1001).allowGid(2000)
 * ShareOptions.path(Path.of("/run/my-app/quotes.sock"))
 * }</pre>
 */
public final class ShareOptions
{
    /** Longest socket name or path, in bytes (sun_path holds 108 with its terminator). */
    public static final int MAX_ADDRESS_LENGTH = 107;

    private final String address;
    private final boolean abstractNamespace;
    private final Set<Integer> uids;
    private final Set<Integer> gids;
    private final boolean allowOwnUid;

    private ShareOptions(
        final String address,
        final boolean abstractNamespace,
        final Set<Integer> uids,
        final Set<Integer> gids,
        final boolean allowOwnUid)
    {
        if (null == address || address.isEmpty() || address.length() > MAX_ADDRESS_LENGTH)
        {
            throw new IllegalArgumentException(
                "socket address must be 1 to " + MAX_ADDRESS_LENGTH + " characters: " + address);
        }
        this.address = address;
        this.abstractNamespace = abstractNamespace;
        this.uids = Set.copyOf(uids);
        this.gids = Set.copyOf(gids);
        this.allowOwnUid = allowOwnUid;
    }

    /**
     * @param name a name in Linux's abstract socket namespace (no file; gone when the owner closes or dies).
     * @return options for that address, allowing the owner's uid.
     */
    public static ShareOptions abstractName(final String name)
    {
        return new ShareOptions(name, true, Set.of(), Set.of(), true);
    }

    /**
     * @param path a socket file path (its directory's permissions add a second gate).
     * @return options for that address, allowing the owner's uid.
     */
    public static ShareOptions path(final Path path)
    {
        return new ShareOptions(Objects.requireNonNull(path).toString(), false, Set.of(), Set.of(), true);
    }

    /**
     * @param uid a user id to allow.
     * @return a copy that also allows it.
     */
    public ShareOptions allowUid(final int uid)
    {
        final java.util.HashSet<Integer> more = new java.util.HashSet<>(uids);
        more.add(uid);
        return new ShareOptions(address, abstractNamespace, more, gids, allowOwnUid);
    }

    /**
     * @param gid a group id to allow (the connecting process's primary gid, as the kernel reports it).
     * @return a copy that also allows it.
     */
    public ShareOptions allowGid(final int gid)
    {
        final java.util.HashSet<Integer> more = new java.util.HashSet<>(gids);
        more.add(gid);
        return new ShareOptions(address, abstractNamespace, uids, more, allowOwnUid);
    }

    /**
     * @return a copy that does not allow the owner's own uid unless listed with {@link #allowUid(int)}.
     */
    public ShareOptions denyOwnUid()
    {
        return new ShareOptions(address, abstractNamespace, uids, gids, false);
    }

    /**
     * @return the socket name or path.
     */
    public String address()
    {
        return address;
    }

    /**
     * @return true for the abstract namespace, false for a path.
     */
    public boolean isAbstract()
    {
        return abstractNamespace;
    }

    /**
     * @return the uids allowed besides the owner's.
     */
    public Set<Integer> uids()
    {
        return uids;
    }

    /**
     * @return the gids allowed.
     */
    public Set<Integer> gids()
    {
        return gids;
    }

    /**
     * @return whether the owner's own uid is allowed.
     */
    public boolean allowsOwnUid()
    {
        return allowOwnUid;
    }

    @Override
    public String toString()
    {
        return (abstractNamespace ? "@" : "") + address + " uids=" + uids + " gids=" + gids +
            (allowOwnUid ? " +own uid" : "");
    }
}
