package io.shmbus.impl.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The unprivileged user the permission tests run child JVMs as: {@value #NAME}, a system account with no home and
 * no login shell, member of the group {@value #SHARE_GROUP} (which stands for a team sharing a bus). Made on first
 * use when the tests run as root, and kept: creating it again is a no-op, so tests may run twice or at the same
 * time. Remove it with {@code userdel shmbus-test; groupdel shmbus-test-share}.
 *
 * @param uid        the user's id.
 * @param gid        its primary group (its own group).
 * @param shareGid   the id of {@value #SHARE_GROUP}.
 */
public record TestUser(int uid, int gid, int shareGid)
{
    /** The user's name. */
    public static final String NAME = "shmbus-test";
    /** A group the user belongs to besides its own. */
    public static final String SHARE_GROUP = "shmbus-test-share";

    /**
     * @return true when this JVM runs as root (it may create users and run processes as them).
     */
    public static boolean isRoot()
    {
        return 0 == io.shmbus.impl.platform.Linux.getuid();
    }

    /**
     * Create the user and group unless they exist, and make the user a member of the group. Root only.
     *
     * @return the user's ids.
     */
    public static synchronized TestUser ensure()
    {
        for (int attempt = 0; ; attempt++)
        {
            // groupadd -f succeeds when the group exists; useradd exits 9 when the user exists; both exit 10 when
            // another process holds the account files' lock at the same moment: try again.
            final int group = run("groupadd", "-f", "--system", SHARE_GROUP);
            final int user = group != 0 ? group : run("useradd", "--system", "--no-create-home",
                "--shell", "/usr/sbin/nologin", "--user-group", "--groups", SHARE_GROUP, NAME);
            final int member = user != 0 && user != 9 ? user : run("usermod", "-a", "-G", SHARE_GROUP, NAME);
            if (member == 0)
            {
                break;
            }
            if (attempt == 20)
            {
                throw new IllegalStateException("cannot create user " + NAME + " in group " + SHARE_GROUP +
                    " (exit codes " + group + ", " + user + ", " + member + ")");
            }
            sleep(100);
        }
        return new TestUser(
            Integer.parseInt(output("id", "-u", NAME)),
            Integer.parseInt(output("id", "-g", NAME)),
            Integer.parseInt(output("getent", "group", SHARE_GROUP).split(":")[2]));
    }

    /**
     * @param groups true to give the process the user's groups ({@value #SHARE_GROUP} included), false for none
     *               but its own.
     * @return the words that run a command as this user.
     */
    public List<String> runAs(final boolean groups)
    {
        final List<String> prefix = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid));
        prefix.add(groups ? "--init-groups" : "--clear-groups");
        return prefix;
    }

    /**
     * @return the flags of a child JVM run as this user: {@link ChildProcess#JVM_FLAGS}, and no performance data
     * file (the JVM would leave a /tmp/hsperfdata_shmbus-test directory behind).
     */
    public static List<String> jvmFlags()
    {
        final List<String> flags = new ArrayList<>(ChildProcess.JVM_FLAGS);
        flags.add("-XX:-UsePerfData");
        return flags;
    }

    private static int run(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + String.join(" ", command), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String output(final String... command)
    {
        try
        {
            final Process process = new ProcessBuilder(command).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + String.join(" ", command), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
