package io.jinit.runit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy of the service tree under /run/jinit/service, on a real file system. A service whose
 * {@code supervise} is a plain file stands for one runsv cannot use (the tests run as root, for
 * whom a read-only mode is no obstacle); the container rows of the issue are in tests-it's
 * HardenedIT.
 */
class ServiceTreeTest {
    @TempDir
    Path root;

    private Path service(String name) throws IOException {
        Path s = Files.createDirectories(root.resolve("etc/service").resolve(name));
        Files.writeString(s.resolve("run"), "#!/bin/sh\nexec sleep 100\n");
        return s;
    }

    @Test
    void noCopyWhenEveryServiceCanBeSupervisedInPlace() throws IOException {
        service("a");
        ServiceTree tree = new ServiceTree(root.resolve("etc/service"), root.resolve("run/jinit/service"));
        ServiceTree.Layout layout = tree.prepare();
        assertThat(layout.directory()).isEqualTo(root.resolve("etc/service"));
        assertThat(layout.unsupervisable()).isEmpty();
        assertThat(root.resolve("run/jinit/service")).doesNotExist();
        assertThat(tree.current()).isEqualTo(root.resolve("etc/service"));
    }

    @Test
    void aCopyWithLinksToTheFilesAndRealSuperviseDirectories() throws IOException {
        Path bad = service("bad");
        Files.writeString(bad.resolve("supervise"), "not a directory");
        Files.writeString(bad.resolve("check"), "#!/bin/sh\n");
        Files.createDirectories(bad.resolve("log"));
        Files.writeString(bad.resolve("log/run"), "#!/bin/sh\n");
        Path good = service("good");
        Path copy = root.resolve("run/jinit/service");
        // left by an earlier boot: removed first
        Files.createDirectories(copy.resolve("stale/supervise"));

        ServiceTree tree = new ServiceTree(root.resolve("etc/service"), copy);
        ServiceTree.Layout layout = tree.prepare();

        assertThat(layout.directory()).isEqualTo(copy);
        assertThat(layout.unsupervisable()).isEmpty();
        assertThat(tree.current()).isEqualTo(copy);
        assertThat(copy.resolve("stale")).doesNotExist();
        assertThat(Files.readSymbolicLink(copy.resolve("good"))).isEqualTo(good.toAbsolutePath());
        Path c = copy.resolve("bad");
        assertThat(Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readSymbolicLink(c.resolve("run"))).isEqualTo(bad.resolve("run").toAbsolutePath());
        assertThat(Files.readSymbolicLink(c.resolve("check"))).isEqualTo(bad.resolve("check").toAbsolutePath());
        assertThat(Files.isDirectory(c.resolve("supervise"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(Files.readSymbolicLink(c.resolve("log/run"))).isEqualTo(bad.resolve("log/run").toAbsolutePath());
        assertThat(Files.isDirectory(c.resolve("log/supervise"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        // runsvdir scans at once only a directory not changed within the current second
        assertThat(Files.getLastModifiedTime(copy).toMillis()).isLessThan(System.currentTimeMillis() - 1_000);
    }

    @Test
    void noCopyPossibleNamesEachServiceAndWhy() throws IOException {
        Path bad = service("bad");
        Files.writeString(bad.resolve("supervise"), "not a directory");
        service("good");
        // /run/jinit is a file here: no directory can be made under it
        Files.createDirectories(root.resolve("run"));
        Files.writeString(root.resolve("run/jinit"), "");
        ServiceTree.Layout layout = new ServiceTree(root.resolve("etc/service"), root.resolve("run/jinit/service")).prepare();
        assertThat(layout.directory()).isEqualTo(root.resolve("etc/service"));
        assertThat(layout.unsupervisable()).singleElement().satisfies(u -> {
            assertThat(u.name()).isEqualTo("bad");
            assertThat(u.why()).contains(bad.resolve("supervise") + ": not a directory", "Not a directory (ENOTDIR)");
        });
    }

    @Test
    void aDanglingSuperviseLinkGetsItsDirectory() throws IOException {
        Path s = service("debian");
        Path target = root.resolve("run/runit/supervise/debian");
        Files.createSymbolicLink(s.resolve("supervise"), target);
        assertThat(ServiceTree.problem(s)).isNull();
        assertThat(target).isDirectory();
    }
}
