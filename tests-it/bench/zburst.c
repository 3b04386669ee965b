/*
 * zburst: a burst of zombies reparented to PID 1 at once, and how long PID 1 takes to reap them.
 *
 * Run it as the main command of an init that is PID 1 of a fresh PID namespace
 * (unshare -p -f --mount-proc INIT ... -- zburst N). It
 *   1. counts the processes of the namespace (numeric entries of /proc) as the baseline;
 *   2. forks a middle process M, which vforks N children that _exit(0) at once (vfork returns
 *      in M only after the child has exited); M does not reap them, takes a CLOCK_MONOTONIC
 *      timestamp t0 once all N are zombies, hands it over and exits: the kernel reparents
 *      all N zombies to PID 1 in one go;
 *   3. reaps M itself, then polls /proc (every 200 us) until the namespace is back to the
 *      baseline count, i.e. PID 1 has reaped every zombie, and takes t1;
 *   4. scans /proc/[pid]/stat for processes in state Z and prints one line:
 *        reap_ms=<t1-t0 in ms> zombies_left=<count> children=<N>
 *      exit 0, or exit 1 when PID 1 did not clear them within the timeout (second argument,
 *      seconds, default 30) or something failed.
 *
 * Usage: zburst [N=5000] [TIMEOUT_S=30]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Number of processes (thread-group leaders, zombies included) visible in /proc. */
static int count_processes(void) {
    DIR *d = opendir("/proc");
    if (!d) { perror("zburst: opendir /proc"); exit(1); }
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9') n++;
    closedir(d);
    return n;
}

/* Number of processes in state Z. */
static int count_zombies(void) {
    DIR *d = opendir("/proc");
    if (!d) { perror("zburst: opendir /proc"); exit(1); }
    int z = 0;
    struct dirent *e;
    char path[300], buf[512];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;                       /* gone meanwhile */
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = 0;
        char *rp = strrchr(buf, ')');           /* comm may hold spaces and parens */
        if (rp && rp[1] == ' ' && rp[2] == 'Z') z++;
    }
    closedir(d);
    return z;
}

static void fail(const char *what) {
    fprintf(stderr, "zburst: %s: %s\n", what, strerror(errno));
    printf("reap_ms=error zombies_left=-1\n");
    fflush(stdout);
    exit(1);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    double timeout_s = argc > 2 ? atof(argv[2]) : 30.0;
    if (n <= 0) { fprintf(stderr, "usage: zburst [N] [TIMEOUT_S]\n"); return 2; }

    int baseline = count_processes();
    int t0pipe[2];
    if (pipe(t0pipe) != 0) fail("pipe");

    pid_t middle = fork();
    if (middle < 0) fail("fork");
    if (middle == 0) {
        close(t0pipe[0]);
        for (int i = 0; i < n; i++) {
            /* vfork: no copy of the address space; the parent resumes once the child has
             * exited, so the child is a zombie by then. */
            pid_t c;
            while ((c = vfork()) < 0 && errno == EAGAIN) usleep(1000);
            if (c < 0) _exit(4);
            if (c == 0) _exit(0);
        }
        int64_t t0 = now_ns();                   /* all N children are zombies now */
        if (write(t0pipe[1], &t0, sizeof t0) != sizeof t0) _exit(5);
        _exit(0);                                /* the N zombies go to PID 1 at once */
    }
    close(t0pipe[1]);
    int64_t t0;
    ssize_t r;
    while ((r = read(t0pipe[0], &t0, sizeof t0)) < 0 && errno == EINTR) {}
    int st;
    while (waitpid(middle, &st, 0) < 0) if (errno != EINTR) fail("waitpid");
    if (r != sizeof t0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "zburst: the forking process failed (status %d)\n", st);
        printf("reap_ms=error zombies_left=-1\n");
        return 1;
    }

    int64_t deadline = t0 + (int64_t) (timeout_s * 1e9);
    int64_t t1;
    struct timespec pause = {0, 200000};
    for (;;) {
        int count = count_processes();
        t1 = now_ns();
        if (count <= baseline) break;
        if (t1 > deadline) {
            printf("reap_ms=timeout zombies_left=%d children=%d\n", count_zombies(), n);
            return 1;
        }
        nanosleep(&pause, NULL);
    }
    int left = count_zombies();
    printf("reap_ms=%.3f zombies_left=%d children=%d\n", (t1 - t0) / 1e6, left, n);
    return left == 0 ? 0 : 1;
}
