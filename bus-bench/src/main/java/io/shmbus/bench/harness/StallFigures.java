package io.shmbus.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one run of the stall scenario measured, from its JVMs' RESULT lines: the timed publishers' aggregate rate
 * (as published, and as the slowest subscriber received it), the joins, the takeovers, and whether every
 * subscriber got every message of every publisher once, in order and intact.
 *
 * @param publishedMsgsPerSec the sum over the timed publishers of each one's measured messages over its window.
 * @param receivedMsgsPerSec  the lowest over the subscribers of the timed publishers' measured messages received
 *                            over the time from the first of them to the last.
 * @param perPublisher        each timed publisher's rate.
 * @param measured            the timed publishers' measured messages.
 * @param refused             offers refused (back-pressured) in the timed publishers' windows.
 * @param joins               joins that succeeded in the window.
 * @param failedJoins         joins that threw, plus one when none succeeded (a window without a join is no proof).
 * @param maxJoinNs           the longest join, successful or not.
 * @param takeovers           rounds taken over during the window, from the topic status.
 * @param takeoversTotal      rounds taken over since the topic was made, at the end of the window.
 * @param errors              messages lost, duplicated, misread or of the wrong length, over every subscriber, plus
 *                            every publisher's message count that a subscriber did not receive exactly.
 * @param firstFailure        the first failed join's exception, or "none".
 */
record StallFigures(
    long publishedMsgsPerSec,
    long receivedMsgsPerSec,
    List<Long> perPublisher,
    long measured,
    long refused,
    long joins,
    long failedJoins,
    long maxJoinNs,
    long takeovers,
    long takeoversTotal,
    long errors,
    String firstFailure)
{
    /**
     * @param publishers every publisher's result (the timed ones first).
     * @param subscribers every subscriber's result.
     * @param joiner      the joiner's result.
     * @return the figures.
     */
    static StallFigures of(
        final List<Map<String, String>> publishers,
        final List<Map<String, String>> subscribers,
        final Map<String, String> joiner)
    {
        double published = 0;
        long measured = 0;
        long refused = 0;
        final List<Long> each = new ArrayList<>();
        for (int i = 0; i < StallRunner.TIMED; i++)
        {
            final Map<String, String> p = publishers.get(i);
            final long messages = Long.parseLong(p.get("messages"));
            final double rate = rate(messages, Long.parseLong(p.get("wallNs")));
            published += rate;
            each.add(Math.round(rate));
            measured += messages;
            refused += Long.parseLong(p.get("refused"));
        }
        double received = Double.MAX_VALUE;
        long errors = 0;
        for (final Map<String, String> s : subscribers)
        {
            received = Math.min(received, rate(Long.parseLong(s.get("measured")), Long.parseLong(s.get("measuredNs"))));
            errors += Long.parseLong(s.get("errors"));
            for (int i = 0; i < publishers.size(); i++)
            {
                // the publisher's last message says how many came before it: that many, and it, once each
                final long total = Long.parseLong(publishers.get(i).get("total"));
                if (Long.parseLong(s.getOrDefault("received" + i, "-1")) != total + 1 ||
                    Long.parseLong(s.getOrDefault("last" + i, "-1")) != total)
                {
                    errors++;
                }
            }
        }
        final long joins = Long.parseLong(joiner.get("joins"));
        final long failed = Long.parseLong(joiner.get("failedJoins")) + (joins == 0 ? 1 : 0);
        final long before = Long.parseLong(joiner.get("takeoversBefore"));
        final long after = Long.parseLong(joiner.get("takeoversAfter"));
        return new StallFigures(Math.round(published), subscribers.isEmpty() ? 0 : Math.round(received), each,
            measured, refused, joins, failed, Long.parseLong(joiner.get("maxJoinNs")), after - before, after, errors,
            joiner.getOrDefault("firstFailure", "none"));
    }

    private static double rate(final long messages, final long ns)
    {
        return ns <= 0 ? 0 : messages * 1e9 / ns;
    }

    /**
     * @return whether every message arrived as sent.
     */
    boolean clean()
    {
        return errors == 0;
    }

    /**
     * @param row the result row: gets every figure.
     */
    void put(final Map<String, Object> row)
    {
        row.put("messages", measured);
        row.put("msgsPerSec", publishedMsgsPerSec);
        row.put("mbPerSec", Math.round(publishedMsgsPerSec * (double)StallRunner.SIZE / 1e6 * 10) / 10.0);
        row.put("receivedMsgsPerSec", receivedMsgsPerSec);
        row.put("perPublisherMsgsPerSec", perPublisher);
        row.put("backPressuredOffers", refused);
        row.put("joins", joins);
        row.put("failedJoins", failedJoins);
        row.put("maxJoinNs", maxJoinNs);
        row.put("takeovers", takeovers);
        row.put("takeoversTotal", takeoversTotal);
        row.put("sequenceErrors", errors);
        if (!"none".equals(firstFailure))
        {
            row.put("firstFailedJoin", firstFailure);
        }
    }

    /**
     * @return a line for an error message.
     */
    String describe()
    {
        return errors + " error(s) over " + measured + " measured messages";
    }
}
