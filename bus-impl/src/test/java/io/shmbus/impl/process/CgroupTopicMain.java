package io.shmbus.impl.process;

import io.shmbus.Bus;
import io.shmbus.BusOptions;
import io.shmbus.Topic;
import io.shmbus.TopicOptions;

import java.nio.file.Path;

/**
 * A child, run in a memory cgroup by the test, that tries to create topics: a named and an anonymous one of
 * {@code big} bytes of capacity, then a named one of {@code small}. For each it prints {@code RESULT <what> OK} or
 * {@code RESULT <what> <exception class> <message>}, then exits 0.
 *
 * <p>Arguments ({@code key=value}): {@code dir}, {@code big}, {@code small}, {@code deadline}.
 */
public final class CgroupTopicMain
{
    private CgroupTopicMain()
    {
    }

    public static void main(final String[] args)
    {
        final ChildArgs a = new ChildArgs(args);
        ChildSupport.start(a.getLong("deadline", 120));
        try (Bus bus = Bus.open(BusOptions.builder().directory(Path.of(a.get("dir"))).build()))
        {
            final TopicOptions big = TopicOptions.builder().capacityBytes((int)a.getLong("big", 1 << 29)).build();
            final TopicOptions small = TopicOptions.builder().capacityBytes((int)a.getLong("small", 1 << 20)).build();
            attempt("named", () -> bus.topic("big", big));
            attempt("anonymous", () -> bus.anonymousTopic("big-anonymous", big));
            attempt("small", () -> bus.topic("small", small));
        }
        catch (final Throwable ex)
        {
            ChildSupport.fail(ex);
        }
        System.exit(0);
    }

    private static void attempt(final String what, final java.util.function.Supplier<Topic> create)
    {
        String result;
        try (Topic ignored = create.get())
        {
            result = "OK";
        }
        catch (final Throwable ex)
        {
            result = ex.getClass().getName() + " " + ex.getMessage();
        }
        ChildSupport.out("RESULT " + what + " " + result.replace('\n', ' '));
    }
}
