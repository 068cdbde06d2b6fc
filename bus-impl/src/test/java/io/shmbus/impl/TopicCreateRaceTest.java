package io.shmbus.impl;

import io.shmbus.TopicOptions;
import io.shmbus.impl.process.ChildGroup;
import io.shmbus.impl.process.ChildProcess;
import io.shmbus.impl.process.ChildSupport;
import io.shmbus.impl.process.TopicCreatorMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Six child JVMs released at the same instant (they wait for a barrier file) call {@code bus.topic} with the
 * same name, ten rounds in a row. Every call succeeds, all of them get the same file (one inode, one creator
 * among them, as the header records it), and the bus directory holds exactly the topics and nothing else: no
 * {@code .creating} leftovers. In the second test one child asks for other settings: whichever side created the
 * topic, every child of the other side gets a {@link io.shmbus.TopicMismatchException} that names the setting,
 * the value it asked for and the value the topic has.
 */
class TopicCreateRaceTest
{
    private static final int CHILDREN = 6;
    private static final int ROUNDS = 10;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final TopicOptions OPTIONS = TopicOptions.builder()
        .capacityBytes(64 * 1024).maxMessageLength(1024).maxPublishers(8).maxSubscribers(8).build();
    private static final TopicOptions OTHER = OPTIONS.toBuilder().maxMessageLength(512).build();

    /** One child's outcome in one round. */
    private record Outcome(int child, boolean ok, int creatorPid, String inode, long startNs, long endNs,
        String message)
    {
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void racingCreatorsAllGetTheOneTopic() throws IOException
    {
        race(false);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void racingCreatorWithOtherSettingsGetsMismatchNamingBothValues() throws IOException
    {
        race(true);
    }

    private static void race(final boolean oneDiffers) throws IOException
    {
        final Path directory = TestBus.newDirectory("race");
        final Path barrier = TestBus.newDirectory("race-barrier");
        Files.createDirectories(barrier);
        try (ChildGroup children = new ChildGroup())
        {
            final List<Long> pids = new ArrayList<>();
            for (int c = 0; c < CHILDREN; c++)
            {
                final TopicOptions options = oneDiffers && c == 0 ? OTHER : OPTIONS;
                pids.add(children.start("creator" + c, TopicCreatorMain.class, "dir=" + directory,
                    "barrier=" + barrier, "rounds=" + ROUNDS, "spec=" + ChildSupport.spec(options),
                    "deadline=170").pid());
            }
            int overlapping = 0;
            int creatorsOther = 0;
            for (int round = 0; round < ROUNDS; round++)
            {
                for (final ChildProcess child : children.children())
                {
                    assertEquals(Integer.toString(round), child.awaitWords("WAITING", TIMEOUT)[0]);
                }
                Files.createFile(barrier.resolve("go-" + round));
                final List<Outcome> outcomes = new ArrayList<>();
                for (int c = 0; c < CHILDREN; c++)
                {
                    outcomes.add(outcome(c, children.children().get(c), round));
                }
                final Outcome anyOk = outcomes.stream().filter(Outcome::ok).findFirst().orElseThrow(
                    () -> new AssertionError("nobody got the topic: " + outcomes));
                final int creator = pids.indexOf((long)anyOk.creatorPid());
                assertTrue(creator >= 0, "the topic's creator pid " + anyOk.creatorPid() + " is none of " + pids);
                final boolean otherWon = oneDiffers && creator == 0;
                creatorsOther += otherWon ? 1 : 0;
                for (final Outcome outcome : outcomes)
                {
                    final boolean asksOther = oneDiffers && outcome.child() == 0;
                    final String what = "round " + round + ", child " + outcome.child();
                    if (asksOther == otherWon)
                    {
                        assertTrue(outcome.ok(), what + " asked for the creator's settings: " + outcome);
                        assertEquals(anyOk.creatorPid(), outcome.creatorPid(), what + ": creator");
                        assertEquals(anyOk.inode(), outcome.inode(), what + ": the same file");
                    }
                    else
                    {
                        assertTrue(!outcome.ok(), what + " asked for other settings: " + outcome);
                        final int asked = asksOther ? OTHER.maxMessageLength() : OPTIONS.maxMessageLength();
                        final int has = otherWon ? OTHER.maxMessageLength() : OPTIONS.maxMessageLength();
                        final String expected = "maxMessageLength asked " + asked + " but the topic has " + has;
                        assertTrue(outcome.message().contains(expected) && outcome.message().contains("race-" + round),
                            what + ": the message should name the topic and say '" + expected + "': " +
                            outcome.message());
                    }
                }
                overlapping += overlaps(outcomes) ? 1 : 0;
            }
            for (final ChildProcess child : children.children())
            {
                child.send("EXIT");
            }
            for (final ChildProcess child : children.children())
            {
                child.awaitLine("DONE", TIMEOUT);
                assertEquals(0, child.awaitExit(TIMEOUT), child.name() + " exit code");
            }

            final Set<String> expected = new TreeSet<>();
            for (int round = 0; round < ROUNDS; round++)
            {
                expected.add("race-" + round);
            }
            try (Stream<Path> files = Files.list(directory))
            {
                assertEquals(expected, files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(
                    TreeSet::new)), "the bus directory holds exactly the topics, no temporary files");
            }
            System.out.printf("create race%s: %d children x %d rounds, calls overlapped in %d rounds%s%n",
                oneDiffers ? " with one child asking other settings" : "", CHILDREN, ROUNDS, overlapping,
                oneDiffers ? ", the odd child created the topic in " + creatorsOther : "");
            assertTrue(overlapping > 0, "the children's calls never overlapped: the race was not exercised");
        }
        finally
        {
            TestBus.delete(directory);
            TestBus.delete(barrier);
        }
    }

    private static Outcome outcome(final int c, final ChildProcess child, final int round)
    {
        final String line = child.awaitAnyLine(TIMEOUT, "OK", "MISMATCH");
        final String[] w = line.split(" ", 6);
        if (line.startsWith("OK "))
        {
            assertEquals(Integer.toString(round), w[1]);
            return new Outcome(c, true, Integer.parseInt(w[2]), w[3], Long.parseLong(w[4]), Long.parseLong(w[5]), null);
        }
        assertEquals(Integer.toString(round), w[1]);
        final String[] m = line.split(" ", 5);
        return new Outcome(c, false, -1, null, Long.parseLong(m[2]), Long.parseLong(m[3]), m[4]);
    }

    private static boolean overlaps(final List<Outcome> outcomes)
    {
        final Set<Integer> seen = new HashSet<>();
        for (final Outcome a : outcomes)
        {
            for (final Outcome b : outcomes)
            {
                if (a != b && a.startNs() < b.endNs() && b.startNs() < a.endNs())
                {
                    seen.add(a.child());
                }
            }
        }
        return seen.size() > 1;
    }
}
