package io.jinit.storm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Shared pieces of the race and storm tests: the short/full switch, a small C helper
 * compiled with gcc at test time, parallel runs, and the machine-readable result line.
 *
 * <p>Counts: the default run uses the short counts so that every storm test together stays
 * well under three minutes on two cores; {@code -Djinit.storm.full=true} selects the long
 * counts (what tests-it/run-all.sh runs in CI).
 */
final class Storm {
    private Storm() {}

    /** True when the system property {@code jinit.storm.full} is {@code true}. */
    static final boolean FULL = Boolean.getBoolean("jinit.storm.full");

    /**
     * @param shortCount the count of the default run
     * @param fullCount the count with {@code -Djinit.storm.full=true}
     * @return the count for this run
     */
    static int count(int shortCount, int fullCount) {
        return FULL ? fullCount : shortCount;
    }

    /**
     * Prints the line the report script reads: {@code RELIABILITY|check|count|result|detail}
     * on stdout (surefire/failsafe keep it in the report XML's system-out).
     *
     * @param check the check's name
     * @param count what was counted, e.g. "100 runs"
     * @param pass whether the check passed
     * @param detail free text (no '|' and no newline)
     */
    static void report(String check, String count, boolean pass, String detail) {
        System.out.println("RELIABILITY|" + check + "|" + count + "|" + (pass ? "pass" : "FAIL") + "|"
                + detail.replace('|', '/').replace('\n', ' '));
        System.out.flush();
    }

    /** The helper's C source: a few storms that a shell loop would make too slowly. */
    private static final String HELPER_C = """
            #include <dirent.h>
            #include <errno.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/wait.h>
            #include <time.h>
            #include <unistd.h>

            static pid_t xfork(void) {
              for (;;) {
                pid_t p = fork();
                if (p >= 0) return p;
                if (errno != EAGAIN) { perror("fork"); exit(100); }
                usleep(1000);
              }
            }

            /* N grandchildren, each orphaned at once: the middle process exits right after
               forking it, so the grandchild (which exits at once too) is reaped by PID 1. */
            static int orphans(long n) {
              for (long i = 0; i < n; i++) {
                pid_t mid = xfork();
                if (mid == 0) { xfork(); _exit(0); }
                while (waitpid(mid, NULL, 0) < 0 && errno == EINTR) {}
              }
              printf("orphans=%ld\\n", n);
              return 0;
            }

            /* K children blocked on a pipe; closing it wakes them all, and the parent exits
               with STATUS in the same moment, while they exit with 3: SIGCHLDs coalesce. */
            static int burst(int k, int status) {
              int fd[2];
              if (pipe(fd) != 0) { perror("pipe"); return 100; }
              for (int i = 0; i < k; i++) {
                if (xfork() == 0) {
                  char c;
                  close(fd[1]);
                  while (read(fd[0], &c, 1) < 0 && errno == EINTR) {}
                  _exit(3);
                }
              }
              close(fd[0]);
              close(fd[1]);
              _exit(status);
            }

            static int zombies(void) {
              int z = 0;
              DIR *d = opendir("/proc");
              struct dirent *e;
              char path[300], buf[512];
              while (d && (e = readdir(d)) != NULL) {
                if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
                snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
                FILE *f = fopen(path, "r");
                if (!f) continue;
                size_t len = fread(buf, 1, sizeof buf - 1, f);
                fclose(f);
                buf[len] = 0;
                char *rp = strrchr(buf, ')');
                if (rp && rp[1] == ' ' && rp[2] == 'Z') z++;
              }
              if (d) closedir(d);
              return z;
            }

            /* Polls the PID namespace (its /proc) until no zombie is left or MS pass. */
            static int zwait(long ms) {
              struct timespec t0, t;
              clock_gettime(CLOCK_MONOTONIC, &t0);
              int z, max = 0;
              for (;;) {
                z = zombies();
                if (z > max) max = z;
                clock_gettime(CLOCK_MONOTONIC, &t);
                long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
                if (z == 0 || el >= ms) {
                  printf("zombies=%d after_ms=%ld max_seen=%d\\n", z, el, max);
                  return z == 0 ? 0 : 1;
                }
                usleep(10000);
              }
            }

            int main(int argc, char **argv) {
              setvbuf(stdout, NULL, _IONBF, 0);
              if (argc == 3 && strcmp(argv[1], "orphans") == 0) return orphans(atol(argv[2]));
              if (argc == 4 && strcmp(argv[1], "burst") == 0) return burst(atoi(argv[2]), atoi(argv[3]));
              if (argc == 3 && strcmp(argv[1], "zwait") == 0) return zwait(atol(argv[2]));
              fprintf(stderr, "usage: storm orphans N | burst K STATUS | zwait MS\\n");
              return 100;
            }
            """;

    private static Path helper;

    /**
     * Compiles the C helper once per JVM (gcc must be installed).
     *
     * @return the helper binary ({@code orphans N}, {@code burst K STATUS}, {@code zwait MS})
     */
    static synchronized Path helper() {
        if (helper != null) {
            return helper;
        }
        try {
            Path dir = Files.createTempDirectory("jinit-storm-");
            dir.toFile().deleteOnExit();
            Path src = dir.resolve("storm.c");
            Path bin = dir.resolve("storm");
            Files.writeString(src, HELPER_C, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("gcc", "-O2", "-o", bin.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("gcc failed: " + out);
            }
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            helper = bin;
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** After this many failed runs the remaining runs of a test are skipped (a broken init hangs each run). */
    static final int FAIL_FAST = 3;

    /**
     * Runs {@code runs} independent runs, {@code parallel} at a time, and collects what each
     * returned; a run that throws becomes its exception's description.
     *
     * @param runs how many
     * @param parallel how many at once (the machine has 2 cores; an init run is mostly JVM start)
     * @param run the run, given its index; returns null when fine, else a failure description
     * @return the failure descriptions, in run order (plus a note if runs were skipped after
     *     {@link #FAIL_FAST} failures)
     */
    static List<String> runAll(int runs, int parallel, IntFunction<String> run) {
        List<String> failures = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger skipped = new java.util.concurrent.atomic.AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                int n = i;
                fs.add(pool.submit(() -> {
                    if (failed.get() >= FAIL_FAST) {
                        skipped.incrementAndGet();
                        return null;
                    }
                    String r;
                    try {
                        r = run.apply(n);
                    } catch (AssertionError | RuntimeException e) {
                        r = "run " + n + ": " + e;
                    }
                    if (r != null) {
                        failed.incrementAndGet();
                    }
                    return r;
                }));
            }
            for (Future<String> f : fs) {
                try {
                    String s = f.get();
                    if (s != null) {
                        failures.add(s);
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        }
        if (skipped.get() > 0) {
            failures.add(skipped.get() + " more runs skipped after " + FAIL_FAST + " failures");
        }
        return failures;
    }

    /**
     * @param pid a PID as the test sees it
     * @return VmRSS of that process in KiB
     */
    static long rssKiB(long pid) {
        try {
            String v = io.jinit.it.ProcFs.status(pid).get("VmRSS");
            return Long.parseLong(v.replace("kB", "").trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
