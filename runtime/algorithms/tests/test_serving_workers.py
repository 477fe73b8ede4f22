"""serving/workers.py: pre-forked workers share the port, and keep-alive connections are spread
over them (a worker with more open connections than another lets the other accept)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SERVER = '''
import os
from salvia_algorithms.serving.workers import serve_workers

class PidHandler:
    def load(self, model_dir):
        return None

    def invoke(self, model, body, content_type, accept):
        return str(os.getpid()).encode(), 'text/plain'

serve_workers(PidHandler(), 2)
'''


class WorkersTest(unittest.TestCase):
    def test_keep_alive_connections_go_to_different_workers(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, SAGEMAKER_BASE_DIR=tmp.name, SAGEMAKER_BIND_TO_PORT=str(port), PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE='1')
        env.pop('SAGEMAKER_MULTI_MODEL', None)
        process = subprocess.Popen([sys.executable, '-c', SERVER], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(process.stderr.close)
        self.addCleanup(lambda: process.poll() is None and process.kill())

        def children():
            with open(f'/proc/{process.pid}/task/{process.pid}/children', encoding='ascii') as f:
                return {int(pid) for pid in f.read().split()}

        def ask(conn):
            conn.request('POST', '/invocations', b'x', {'Content-Type': 'text/plain'})
            answer = conn.getresponse()
            return int(answer.read())

        deadline = time.monotonic() + 20
        first = None
        while first is None:
            self.assertIsNone(process.poll(), 'the server exited')
            self.assertLess(time.monotonic(), deadline, 'no worker answered')
            try:
                one = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
                first = ask(one)
            except OSError:
                time.sleep(0.05)
        self.addCleanup(one.close)
        self.assertEqual(len(children()), 2)
        two = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        self.addCleanup(two.close)
        second = ask(two)
        self.assertEqual(children(), {first, second}, 'each connection is served by its own worker')
        self.assertEqual(ask(one), first, 'a keep-alive connection stays with its worker')
        self.assertEqual(ask(two), second)
        # once the first connection closes, its worker takes the next one
        one.close()
        deadline = time.monotonic() + 20
        while True:
            three = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
            pid = ask(three)
            three.close()
            if pid == first:
                break
            self.assertLess(time.monotonic(), deadline, 'the freed worker never took a connection')
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=20), 0)


class ConnectionBalanceTest(unittest.TestCase):
    def test_fewest_connections_accept_and_a_hung_peer_is_passed_after_patience(self):
        from salvia_algorithms.serving.workers import _GONE, PATIENCE, ConnectionBalance

        balance = ConnectionBalance(2)
        mine = balance.admission(0)
        balance.reset(1)
        self.assertTrue(mine.may_accept(), 'equal counts: either may accept')
        mine.opened()
        started = time.monotonic()
        passes = 0
        while not mine.may_accept():
            passes += 1
        waited = time.monotonic() - started
        self.assertGreaterEqual(waited, PATIENCE, 'a busier worker leaves the connection to the idle one first')
        self.assertLess(waited, PATIENCE + 1)
        self.assertGreater(passes, 10)
        balance.reset(1, _GONE)
        self.assertTrue(mine.may_accept(), "a dead worker's slot never wins")
        mine.closed()
        balance.reset(1, 3)
        self.assertTrue(mine.may_accept())


if __name__ == '__main__':
    unittest.main()
