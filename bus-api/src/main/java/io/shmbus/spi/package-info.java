/**
 * The service interface through which {@link io.shmbus.Bus#open(io.shmbus.BusOptions)} finds its
 * implementation.
 */
package io.shmbus.spi;
