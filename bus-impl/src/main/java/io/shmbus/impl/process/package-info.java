/**
 * Internal, not API: what every program that starts child JVMs running shmbus shares, the tests' children and
 * the benchmark harness's alike. {@link io.shmbus.impl.process.ChildJvm} builds a child's command line (this
 * JVM's java, the flags shmbus needs, a class path, a main class); {@link io.shmbus.impl.process.ChildArgs}
 * parses the {@code key=value} words a child is started with. Nothing here depends on a test library.
 */
package io.shmbus.impl.process;
