package io.jinit.testcontainers;

import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * An {@link ImagePullPolicy} that never pulls: the image must already be in the local Docker
 * image store (built by {@code docker build} or loaded by {@code docker load}).
 *
 * <p>Use it for images that exist only locally, such as {@code jinit/base:latest} and images
 * built {@code FROM} it, and on machines without registry access. When the image is missing,
 * creating the container fails with Docker's "No such image" error instead of a pull attempt.
 */
public final class NeverPullPolicy implements ImagePullPolicy {

    /** Creates the policy; it has no state, one instance can be shared. */
    public NeverPullPolicy() {
    }

    /**
     * Never asks for a pull.
     *
     * @param imageName the image Testcontainers is about to use (ignored)
     * @return always {@code false}
     */
    @Override
    public boolean shouldPull(DockerImageName imageName) {
        return false;
    }
}
