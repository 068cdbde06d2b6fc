/**
 * What an implementation of shmbus uses and nothing else does: the service interface through which
 * {@link io.shmbus.Bus#open(io.shmbus.BusOptions)} finds its implementation, and the hooks a publisher needs to
 * fill and finish an application's {@link io.shmbus.Claim}.
 */
package io.shmbus.spi;
