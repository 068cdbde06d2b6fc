package io.shmbus.bench.harness;

import java.util.List;

/**
 * One round of one scenario: every planned transport of the scenario once at each size, in the order this
 * round runs them. Ratios between transports are taken only between runs of the same round, which ran
 * within the same few minutes.
 *
 * @param scenario the scenario.
 * @param number   the round's number, from 1.
 * @param runs     the runs in execution order: size by size, the transports of each size in rotated order.
 */
public record Round(String scenario, int number, List<Run> runs)
{
    /**
     * @param scenario the scenario.
     * @param number   the round's number, from 1.
     * @param runs     the runs in execution order.
     */
    public Round
    {
        runs = List.copyOf(runs);
    }
}
