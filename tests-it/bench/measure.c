/*
 * measure: run a command and report its wall time and peak RSS, like /usr/bin/time -f %M but
 * with nanosecond resolution.
 *
 * Usage: measure RESULT_FILE COMMAND [ARG...]
 *
 * Takes CLOCK_MONOTONIC just before vfork(), execs COMMAND in the child, waits for it with
 * wait4() and takes the clock again. Writes one line to RESULT_FILE:
 *     wall_ns=<ns> cpu_us=<us> maxrss_kib=<KiB> status=<exit code, or 128+N when killed by signal N>
 * cpu_us is user + system CPU time of the child and of the descendants it reaped.
 * and exits with that status (127 if COMMAND could not be executed).
 *
 * ru_maxrss from wait4() is the largest resident set the child had at any time of its life
 * (across exec, so a launcher script that execs the JVM is counted as the JVM), or that of the
 * largest descendant it reaped, whichever is larger. The child starts as a vfork of this small
 * program, so nothing of a big parent (e.g. the Python harness) is counted in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: measure RESULT_FILE COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = vfork();
    if (pid < 0) { perror("measure: vfork"); return 2; }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0) {
        if (errno != EINTR) { perror("measure: wait4"); return 2; }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    int64_t ns = (int64_t) (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    FILE *f = fopen(argv[1], "w");
    if (!f) { perror("measure: result file"); return 2; }
    long long cpu_us = (long long) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL
                       + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    fprintf(f, "wall_ns=%lld cpu_us=%lld maxrss_kib=%ld status=%d\n", (long long) ns, cpu_us, ru.ru_maxrss, code);
    fclose(f);
    return code;
}
