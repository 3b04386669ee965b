package io.jinit.env;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group of the exports cannot be set (root without CAP_CHOWN, a non-root user): one line at
 * most per run, and none when nobody is in the group; and who is in a group, from the files.
 */
class GroupWarningTest {
    @TempDir
    Path dir;

    private static GroupPrincipal root() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName("root");
    }

    @Test
    void oneLineNamingTheErrnoAndTheMembersOnlyOnce() throws IOException {
        List<String> lines = new ArrayList<>();
        Diagnostics d = new Diagnostics(EnvPaths.under(dir), lines::add, g -> List.of("app", "web"));
        IOException eperm = new FileSystemException("/x/.jinit-tmp=1", null, "Operation not permitted");
        d.groupNotSet(Path.of("/etc/container_environment.sh"), root(), eperm);
        d.groupNotSet(Path.of("/etc/container_environment.json"), root(), eperm);
        assertThat(lines).containsExactly("Cannot give /etc/container_environment.sh (and the other exports) the group "
                + "root: Operation not permitted (EPERM); its members cannot read them: app, web");
    }

    @Test
    void noLineWhenTheGroupHasNoMembers() throws IOException {
        List<String> lines = new ArrayList<>();
        Diagnostics d = new Diagnostics(EnvPaths.under(dir), lines::add, g -> List.of());
        d.groupNotSet(Path.of("/etc/container_environment.sh"), root(),
                new FileSystemException("/x", null, "Operation not permitted"));
        assertThat(lines).isEmpty();
    }

    @Test
    void membersFromTheGroupListAndThePrimaryGroups() throws IOException {
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\ndocker_env:x:8377:app, web\nother:x:9:\n");
        Path passwd = Files.writeString(dir.resolve("passwd"),
                "root:x:0:0::/root:/bin/sh\nsvc:x:1000:8377::/home/svc:/bin/sh\napp:x:1001:8377::/:/bin/sh\n");
        assertThat(GroupMembers.of("docker_env", group, passwd)).containsExactly("app", "web", "svc");
        assertThat(GroupMembers.of("other", group, passwd)).isEmpty();
        assertThat(GroupMembers.of("absent", group, passwd)).isEmpty();
        assertThat(GroupMembers.of("docker_env", dir.resolve("none"), passwd)).isEmpty();
    }

    @Test
    void aRepeatedImportOrExportFailureIsLetThroughOnce() {
        ContainerEnvironment env = new ContainerEnvironment(EnvPaths.under(dir), w -> { });
        IOException erofs = new FileSystemException("/etc/container_environment", null, "Read-only file system");
        assertThat(env.newFailure(erofs)).contains("/etc/container_environment: Read-only file system (EROFS)");
        assertThat(env.newFailure(new FileSystemException("/etc/container_environment", null, "Read-only file system")))
                .isEmpty();
        assertThat(env.newFailure(new java.nio.file.AccessDeniedException("/etc/container_environment.sh")))
                .contains("/etc/container_environment.sh: Permission denied (EACCES)");
    }
}
