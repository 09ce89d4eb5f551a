"""Runs argv[1:] on a pseudo-terminal and relays it to our stdin/stdout.

Emulators such as Debian's VPCS 0.5b2 refuse to run without a terminal, and neither Node nor Deno can open one
without a native addon. The agent spawns this helper with an argument vector (no shell involved); signals it
receives are forwarded to the emulator, and the helper exits with the emulator's exit status.
"""
import os
import pty
import select
import signal
import sys


def main() -> int:
    pid, master = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], sys.argv[1:])

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)

    stdin_open = True
    while True:
        readable = [master] + ([0] if stdin_open else [])
        try:
            ready, _, _ = select.select(readable, [], [])
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            if not data:
                break
            os.write(1, data)
        if 0 in ready:
            data = os.read(0, 4096)
            if data:
                os.write(master, data)
            else:
                stdin_open = False

    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) & 0xFF


if __name__ == "__main__":
    sys.exit(main())
