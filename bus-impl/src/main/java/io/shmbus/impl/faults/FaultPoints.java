package io.shmbus.impl.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only halting points inside the claim path, the cleaning round and a subscriber's join, for crash tests that
 * kill (or stop) a participant at an exact moment. Enabled only when the JVM starts with
 * {@code -Dshmbus.faultPoints=<name>}.
 *
 * <p>What a disabled point costs: nothing. Whether any point is enabled is read once, when this class is
 * initialised, into the static final {@link #ANY}. The call sites test it before they call {@link #reach}, and
 * {@link #reach} itself returns at once on it, so a call site that does not test it costs the same: the method is
 * a few bytes, inlined, and a static final boolean is a constant to the JIT, which folds the test and drops the
 * call and the code behind it. What remains in production is the interpreter's read of one static field until
 * the method is compiled. (Nothing on a disabled path reads the point set, the skip counter or a system property.)
 *
 * <p>When enabled, a thread reaching the named point prints {@code HALTED <name> <position>} on standard output
 * and then sleeps for ever, holding what it holds there (a claim, the cleaning lock, a slot not yet counted), so
 * the test can kill it there with SIGKILL (or stop it with SIGSTOP).
 *
 * <p>Two optional settings: {@code -Dshmbus.faultPoints.skip=N} lets the points pass N times before they halt
 * (so a publisher can commit N messages first), and {@code -Dshmbus.faultPoints.release=<file>} makes a halted
 * thread go on, after printing {@code RELEASED <name> <position>}, once that file exists (so a test can show
 * that a publisher that was only slow, not dead, finishes what it started). Several points may be enabled at once,
 * separated by commas; {@code {point}} in the release file's name is replaced by the point's name, so that each
 * point is released on its own.
 */
public final class FaultPoints
{
    /** After the tail moved past the claim, before any byte of the record header was written. */
    public static final String AFTER_TAIL = "afterTail";
    /** After the in-progress header, before any byte of the body. */
    public static final String AFTER_HEADER = "afterHeader";
    /** A shared publisher's claim: after its slot names the claim, before the compare-and-swap of the tail. */
    public static final String BEFORE_CAS = "beforeCas";
    /** In a cleaning round: walked, its proposal in the owner's round area, not yet announced in cleanLock. */
    public static final String ROUND_WALKED = "roundWalked";
    /** In a cleaning round: after cleanIntent was stored, before any byte was zeroed (the lock is held). */
    public static final String IN_ROUND = "inRound";
    /** In a cleaning round: a zeroing step announced and the lock found still held, before its bytes are zeroed. */
    public static final String IN_STEP = "inStep";
    /** In a cleaning round: every step zeroed, cleanCount and cleanLimit not yet stored. */
    public static final String ROUND_COMMIT = "roundCommit";
    /** A shared publisher's claim: its compare-and-swap of the tail failed, its slot still names the old tail. */
    public static final String AFTER_FAILED_CAS = "afterFailedCas";
    /** A subscriber joining: its slot is active at its start position, it is not counted as connected yet. */
    public static final String JOINING = "joining";
    /** A subscriber joining: added to subscriberCount, its slot's counted flag not yet set. */
    public static final String JOIN_COUNTED = "joinCounted";
    /** A subscriber joining: its slot is allocated (locked, not yet active), its start position not yet read. */
    public static final String JOIN_SLOT = "joinSlot";
    /** A sleeper: counted in its topic's waiters, its slot's sleeping flag not yet set. */
    public static final String WAITER_ADDED = "waiterAdded";
    /** A repair of a dead participant's slot: its lock taken and the slot marked as being repaired. */
    public static final String REPAIRING = "repairing";
    /** A durable subscriber's poll: its message index stored, its new position not yet. */
    public static final String POLL_END = "pollEnd";
    /** Opening a topic: mapped and its header checked, the sweep for dead participants not yet run. */
    public static final String OPEN_MAPPED = "openMapped";

    static final String ENABLED = System.getProperty("shmbus.faultPoints", "");
    /** The enabled points: one name, or several separated by commas. */
    private static final java.util.Set<String> POINTS = java.util.Set.of(ENABLED.split(","));
    /**
     * True when a fault point is enabled in this JVM: a constant to the JIT. Call sites may test it before
     * {@link #reach} (which tests it too) so that not even the arguments are computed.
     */
    public static final boolean ANY = !ENABLED.isEmpty();
    private static final long SKIP = Long.getLong("shmbus.faultPoints.skip", 0);
    private static final String RELEASE = System.getProperty("shmbus.faultPoints.release", "");
    private static final AtomicLong PASSED = new AtomicLong();

    private FaultPoints()
    {
    }

    /**
     * Halt here if {@code point} is the enabled fault point (and its skip count has passed).
     *
     * @param point    the point's name.
     * @param position printed in the HALTED line: a stream position, or what identifies the place.
     */
    public static void reach(final String point, final long position)
    {
        if (!ANY)
        {
            return;
        }
        if (POINTS.contains(point) && PASSED.getAndIncrement() >= SKIP)
        {
            halt(point, position);
        }
    }

    private static void halt(final String point, final long position)
    {
        System.out.println("HALTED " + point + " " + position);
        System.out.flush();
        final Path release = RELEASE.isEmpty() ? null : Path.of(RELEASE.replace("{point}", point));
        while (null == release || !Files.exists(release))
        {
            try
            {
                Thread.sleep(null == release ? 60_000 : 5);
            }
            catch (final InterruptedException ignore)
            {
                // keep holding until killed or released
            }
        }
        System.out.println("RELEASED " + point + " " + position);
        System.out.flush();
    }
}
