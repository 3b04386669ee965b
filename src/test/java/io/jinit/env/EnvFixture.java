package io.jinit.env;

import io.jinit.bytes.RawPaths;

import io.jinit.bytes.RawStrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** A root directory for one test: paths, helpers to put raw files, and the warnings seen. */
final class EnvFixture {
    final Path root;
    final EnvPaths paths;
    final List<String> warnings = new ArrayList<>();

    EnvFixture(Path root) {
        this.root = root;
        this.paths = EnvPaths.under(root);
    }

    /** Creates etc/container_environment/. */
    EnvFixture withDirectory() throws IOException {
        Files.createDirectories(paths.directory());
        return this;
    }

    /** The production instance: group docker_env (absent here), fsync on, no fault. */
    ContainerEnvironment env() {
        return new ContainerEnvironment(paths, warnings::add);
    }

    ContainerEnvironment env(String group, AtomicWriter.Fault fault) {
        return new ContainerEnvironment(paths, warnings::add, group, false, fault);
    }

    /** The directory entry of a name given as a (RawStrings) string. */
    Path entry(String name) {
        return RawPaths.resolve(paths.directory(), RawStrings.encode(name));
    }

    Path put(String name, byte[] content) throws IOException {
        return Files.write(entry(name), content);
    }

    Path put(String name, String content) throws IOException {
        return put(name, content.getBytes(StandardCharsets.UTF_8));
    }

    byte[] read(String name) throws IOException {
        return Files.readAllBytes(entry(name));
    }

    String shell() throws IOException {
        return RawStrings.decode(Files.readAllBytes(paths.shellFile()));
    }

    String json() throws IOException {
        return Files.readString(paths.jsonFile(), StandardCharsets.US_ASCII);
    }

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) b[i] = (byte) values[i];
        return b;
    }
}
