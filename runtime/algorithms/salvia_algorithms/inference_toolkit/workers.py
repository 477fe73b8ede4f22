"""SAGEMAKER_MODEL_SERVER_WORKERS > 1 in single-model mode: pre-forked worker processes sharing
one listening socket, each a threaded server over the model loaded once before forking (pages
shared copy-on-write). The parent only supervises: a worker that dies is replaced; SIGTERM/SIGINT
stop every worker, then the parent exits. Workers die with the parent (PR_SET_PDEATHSIG)."""

import ctypes
import os
import signal
import sys

from ..serving import make_server_or_exit

_PR_SET_PDEATHSIG = 1


def requested_workers(multi_model):
    """SAGEMAKER_MODEL_SERVER_WORKERS as an int ≥ 1; 1 (this process, threads) when unset, invalid or
    in multi-model mode (loaded models live in one process)."""
    value = os.environ.get('SAGEMAKER_MODEL_SERVER_WORKERS')
    if multi_model or not value:
        return 1
    try:
        return max(1, int(value))
    except ValueError:
        print(f'Ignoring SAGEMAKER_MODEL_SERVER_WORKERS={value!r}: not an integer', file=sys.stderr, flush=True)
        return 1


def _die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def serve_workers(handler, workers):
    """Loads the model, binds, forks ``workers`` processes and supervises them until SIGTERM/SIGINT.
    A model that fails to load ends the process with exit code 1, as ``serving.serve`` does."""
    server = make_server_or_exit(handler)
    # a worker that loses the race for a connection gets EAGAIN (ignored by socketserver), not a block
    server.socket.setblocking(False)
    parent = os.getpid()
    children = set()
    stopping = []

    def spawn():
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _die_with_parent()
            if os.getppid() != parent:
                os._exit(0)
            try:
                server.serve_forever()
            finally:
                os._exit(0)
        children.add(pid)

    def stop(signum, frame):  # noqa: ARG001
        stopping.append(signum)
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn()
    host, port = server.server_address[:2]
    print(f'Model server listening on {host}:{port} (single-model, {workers} worker processes)', file=sys.stderr, flush=True)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid not in children:
            continue
        children.discard(pid)
        if not stopping:
            print(f'Model server worker {pid} exited ({status}); starting another', file=sys.stderr, flush=True)
            spawn()
    server.server_close()
