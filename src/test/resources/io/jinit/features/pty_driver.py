"""Runs a command on a new pseudo-terminal, for jinit's TTY job-control tests.

usage: pty_driver.py [--timeout S] [--runs N] [--after TOKEN DELAY BYTES] -- COMMAND [ARG...]

The command becomes a session leader with the pty as its controlling terminal (pty.fork:
setsid + TIOCSCTTY), as under `docker run -t`. Everything it writes to the terminal is copied
to stdout. With --after, BYTES (Python escapes, e.g. '\\x03' for Ctrl-C) are written to the
terminal DELAY seconds after TOKEN first appears in the output. The last line is
"PTY-EXIT <status>" (shell-style: 128+N for a signal death) or "PTY-TIMEOUT" after S seconds
(the command's session is then KILLed). With --runs N the command is run N times in a row and
the last line is "PTY-RUNS <n> OK <ok>", preceded by one "PTY-FAIL ..." line per failed run.
"""
import os
import pty
import select
import signal
import sys
import time


def run_once(cmd, timeout, after, echo):
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    out = b""
    sent = after is None
    deadline = time.monotonic() + timeout
    token_seen_at = None
    while True:
        now = time.monotonic()
        if now > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
            return None, out
        if not sent and token_seen_at is not None and now >= token_seen_at + after[1]:
            os.write(fd, after[2])
            sent = True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: every holder of the terminal has closed it
                break
            if not data:
                break
            out += data
            if echo:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            if not sent and token_seen_at is None and after[0] in out:
                token_seen_at = time.monotonic()
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status), out


def main(argv):
    timeout, runs, after = 60.0, None, None
    i = 0
    while argv[i] != "--":
        if argv[i] == "--timeout":
            timeout = float(argv[i + 1]); i += 2
        elif argv[i] == "--runs":
            runs = int(argv[i + 1]); i += 2
        elif argv[i] == "--after":
            after = (argv[i + 1].encode(), float(argv[i + 2]),
                     argv[i + 3].encode().decode("unicode_escape").encode("latin-1"))
            i += 4
        else:
            raise SystemExit("unknown option " + argv[i])
    cmd = argv[i + 1:]
    if runs is None:
        status, _ = run_once(cmd, timeout, after, True)
        print("\nPTY-TIMEOUT" if status is None else "\nPTY-EXIT %d" % status, flush=True)
        return
    ok = 0
    for n in range(runs):
        status, out = run_once(cmd, timeout, after, False)
        if status == 0:
            ok += 1
        else:
            print("PTY-FAIL run %d status %s output %r" % (n, status, out[-400:]), flush=True)
    print("PTY-RUNS %d OK %d" % (runs, ok), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
