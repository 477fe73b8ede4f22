"""Pre-forked worker processes for single-model mode (SAGEMAKER_MODEL_SERVER_WORKERS > 1, or the
algorithm's default): the model is loaded once, then ``workers`` processes fork and share one
listening socket, each a threaded server over the copy-on-write model. The parent only supervises:
a worker that dies is replaced; SIGTERM/SIGINT stop every worker, then the parent exits. Workers die
with the parent (PR_SET_PDEATHSIG).

Connections are balanced: the workers count their open connections in shared memory and only a
worker with the fewest accepts the next one. Clients keep connections alive (the platform's batch
runner holds one per concurrent request), so without this two connections land on one worker half
of the time and the other worker's CPU stays idle."""

import ctypes
import mmap
import os
import signal
import sys
import threading
import time

from .server import make_server_or_exit

_PR_SET_PDEATHSIG = 1
_GONE = 1 << 62
# how long a worker lets a pending connection wait for a less busy worker before taking it itself
PATIENCE = 0.2


def _die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class ConnectionBalance:
    """Open connections per worker slot, in an anonymous shared mapping created before forking.
    Each worker writes only its own slot; a slot of a dead worker reads as "very busy"."""

    def __init__(self, slots):
        self._map = mmap.mmap(-1, 8 * slots)
        self._counts = (ctypes.c_int64 * slots).from_buffer(self._map)
        self._slot = None
        self._lock = threading.Lock()
        self._waiting_since = 0.0
        self._last_pass = None

    def reset(self, slot, value=0):
        self._counts[slot] = value

    def admission(self, slot):
        """Binds this (forked) process to ``slot``; returns the object the server consults."""
        self._slot = slot
        self._counts[slot] = 0
        return self

    def may_accept(self):
        """True when no other worker has fewer open connections, or when this worker has let a
        pending connection wait for another for more than PATIENCE seconds (a stopped or hung worker
        never takes its turn). False after a short pause, so that this worker does not spin on the
        still-readable listening socket until the other accepts."""
        mine = self._counts[self._slot]
        if all(mine <= other for other in self._counts):
            return True
        now = time.monotonic()
        # while a connection waits, this is called every ~0.5 ms; a longer gap means a new wait
        if self._last_pass is None or now - self._last_pass > 0.05:
            self._waiting_since = now
        self._last_pass = now
        if now - self._waiting_since > PATIENCE:
            self._last_pass = None
            return True
        time.sleep(0.0005)
        return False

    def opened(self):
        with self._lock:
            self._counts[self._slot] += 1

    def closed(self):
        with self._lock:
            self._counts[self._slot] -= 1


def serve_workers(handler, workers):
    """Loads the model, binds, forks ``workers`` processes and supervises them until SIGTERM/SIGINT.
    A model that fails to load ends the process with exit code 1, as ``serving.serve`` does."""
    server = make_server_or_exit(handler)
    # a worker that loses the race for a connection gets EAGAIN (ignored by socketserver), not a block
    server.socket.setblocking(False)
    balance = ConnectionBalance(workers)
    parent = os.getpid()
    children = {}
    stopping = []

    def spawn(slot):
        balance.reset(slot)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _die_with_parent()
            if os.getppid() != parent:
                os._exit(0)
            server.admission = balance.admission(slot)
            try:
                server.serve_forever()
            finally:
                os._exit(0)
        children[pid] = slot

    def stop(signum, frame):  # noqa: ARG001
        stopping.append(signum)
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for slot in range(workers):
        spawn(slot)
    host, port = server.server_address[:2]
    print(f'Model server listening on {host}:{port} (single-model, {workers} worker processes)', file=sys.stderr, flush=True)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        slot = children.pop(pid, None)
        if slot is None:
            continue
        balance.reset(slot, _GONE)
        if not stopping:
            print(f'Model server worker {pid} exited ({status}); starting another', file=sys.stderr, flush=True)
            spawn(slot)
    server.server_close()

