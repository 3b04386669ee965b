/**
 * Testcontainers support for images that boot with jinit's {@code my_init}
 * (or phusion baseimage-docker's, whose behaviour it keeps).
 *
 * <p>{@link io.jinit.testcontainers.MyInitContainer} is a {@code GenericContainer} that waits
 * until {@code my_init} finished booting, stops the container the way {@code docker stop} does
 * (SIGTERM, grace period, then SIGKILL) and returns the init's exit status, and reads the
 * init's {@code /etc/container_environment*} files and the runit services' {@code sv status}.
 * This artifact is for test suites only; the init itself never depends on it.
 *
 * <p>Needs Java 17 or newer and Testcontainers 2.0.0 or newer (built and tested with 2.0.5);
 * {@link io.jinit.testcontainers.MyInitContainer}'s constructors refuse Testcontainers 1.x with an
 * {@code IllegalStateException} that names the version found.
 */
package io.jinit.testcontainers;
