"""Training over several instances with xgboost's own collective (Rabit): the first host (sorted)
runs the tracker, every host joins as a worker with its own data (its shard with ShardedByS3Key,
everything with FullyReplicated — as the SageMaker container does), xgboost allreduces the
histograms each round, and only the first host saves the model.

The tracker listens on ``algo-1``'s address at a port derived from the job name (so two jobs on
one machine do not collide; the SageMaker container uses a fixed 9099 because each instance has its
own network). A host name that does not resolve (the platform without its sandbox runs every
instance as a local process) falls back to 127.0.0.1."""

import contextlib
import hashlib
import os
import socket
import sys


def tracker_port():
    """9099 by default; with TRAINING_JOB_NAME set, a port in [20000, 40000) from its hash."""
    name = os.environ.get('TRAINING_JOB_NAME')
    if not name:
        return 9099
    return 20000 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 20000


def address(host):
    """The IPv4 address of ``host``, or 127.0.0.1 when it does not resolve."""
    try:
        return socket.gethostbyname(host)
    except OSError:
        return '127.0.0.1'


def default_nthread(env):
    """Threads per worker when the user did not set ``nthread``: None (xgboost's default, every
    CPU) on one instance or on separate machines; when every host resolves to a loopback address
    the instances share this machine, and OpenMP workers spinning against each other make
    allreduce rounds 100× slower, so the CPUs are divided among them."""
    hosts = env.hosts
    if len(hosts) <= 1 or not all(address(h).startswith('127.') for h in hosts):
        return None
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, cpus // len(hosts))


@contextlib.contextmanager
def communicator(env, xgboost):
    """Joins the job's workers for the duration of the block; yields this host's rank (0 = the
    master). Single host: yields 0 without any communicator."""
    hosts = sorted(env.hosts)
    if len(hosts) <= 1:
        yield 0
        return
    rank = hosts.index(env.current_host)
    master = address(hosts[0])
    port = tracker_port()
    tracker = None
    if rank == 0:
        from xgboost.tracker import RabitTracker  # noqa: PLC0415

        tracker = RabitTracker(host_ip=master, n_workers=len(hosts), port=port, sortby='task')
        tracker.start(len(hosts))
    print(f'{env.current_host}: distributed training, worker {rank} of {len(hosts)}, tracker {master}:{port}', file=sys.stderr, flush=True)
    args = {
        'DMLC_TRACKER_URI': master,
        'DMLC_TRACKER_PORT': port,
        'DMLC_TASK_ID': str(rank),
        'DMLC_NUM_WORKER': len(hosts),
        # workers may start before the master's tracker listens: retry the connection for a while
        'DMLC_WORKER_CONNECT_RETRY': 30,
        # many small allreduces per round: without TCP_NODELAY each waits out a delayed ACK
        'rabit_enable_tcp_no_delay': 1,
    }
    with xgboost.collective.CommunicatorContext(**args):
        yield rank
    if tracker is not None:
        tracker.join()
