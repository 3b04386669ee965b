package io.jinit.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

/**
 * Startup check for a container whose command is expected to end on its own: started once Docker
 * reports it running or already exited, whatever the exit status. (Testcontainers' own
 * checks treat a non-zero exit as a failed start.)
 */
final class ExitedOrRunningStartupCheck extends StartupCheckStrategy {

    @Override
    public StartupStatus checkStartupState(DockerClient dockerClient, String containerId) {
        InspectContainerResponse.ContainerState state = getCurrentState(dockerClient, containerId);
        String status = state.getStatus();
        if (Boolean.TRUE.equals(state.getRunning()) || "exited".equals(status) || "dead".equals(status)) {
            return StartupStatus.SUCCESSFUL;
        }
        return StartupStatus.NOT_YET_KNOWN;
    }
}
