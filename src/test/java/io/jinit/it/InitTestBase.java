package io.jinit.it;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Common setup of the PID-1 tests: a fresh fake root per test. Each run lives in its own
 * PID namespace and temp dir, so the tests run concurrently (see junit-platform.properties).
 */
@Execution(ExecutionMode.CONCURRENT)
abstract class InitTestBase {
    /** The per-test temporary directory (root is tmp/root). */
    @TempDir
    Path tmp;

    /** The fake root of this test's init. */
    InitRoot root;

    @BeforeEach
    void newRoot() {
        root = new InitRoot(tmp.resolve("root"));
    }

    /** @return a PID-1 run builder on this test's root */
    MyInitRun init() {
        return MyInitRun.in(root);
    }
}
