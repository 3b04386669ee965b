"""Runs a command on a new pseudo-terminal, as a person at a terminal would.

usage: pty_keys.py WAIT_FOR KEYS TIMEOUT_S -- COMMAND [ARG...]

Copies everything the command writes to stdout; once WAIT_FOR has appeared in it, types KEYS
(a Python escape string, e.g. '\\x03' for Ctrl-C) once. Ends with a line 'PTY-EXIT N' (the
command's exit status, 128+S if a signal killed it) or 'PTY-TIMEOUT' after TIMEOUT_S seconds.
"""
import os
import pty
import select
import sys
import time


def main():
    wait_for, keys, timeout = sys.argv[1].encode(), sys.argv[2].encode().decode('unicode_escape').encode('latin-1'), float(sys.argv[3])
    command = sys.argv[sys.argv.index('--') + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen, typed, deadline, status = b'', False, time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                data = b''
            if not data:
                break
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
            seen += data
        if not typed and wait_for in seen:
            time.sleep(0.3)
            os.write(fd, keys)
            typed = True
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    else:
        print('\nPTY-TIMEOUT', flush=True)
        os.kill(pid, 9)
    try:
        while select.select([fd], [], [], 0.5)[0]:
            data = os.read(fd, 65536)
            if not data:
                break
            sys.stdout.buffer.write(data)
    except OSError:
        pass
    if status is None:
        _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print('\nPTY-EXIT %d' % (code if code >= 0 else 128 - code), flush=True)


main()
