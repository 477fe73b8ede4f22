"""The framework inference toolkit through the real model server (a thread, port 0): user script
discovery, handler functions, default codecs, status codes, SAGEMAKER_SUBMIT_DIRECTORY, context."""

import http.client
import io
import json
import os
import tarfile
import tempfile
import textwrap
import threading
import unittest

import numpy as np

from salvia_algorithms.inference_toolkit import ToolkitHandler, codecs
from salvia_algorithms.inference_toolkit.errors import ModelLoadError, UnsupportedFormatError
from salvia_algorithms.serving import make_server


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(textwrap.dedent(text))


class EnvCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.model_dir = os.path.join(self.tmp.name, 'model')
        os.makedirs(self.model_dir)
        for key in ('SAGEMAKER_PROGRAM', 'SAGEMAKER_SUBMIT_DIRECTORY', 'SAGEMAKER_BASE_DIR', 'SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT'):
            self.set_env(key, None)

    def set_env(self, key, value):
        old = os.environ.get(key)
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
        self.addCleanup(lambda: os.environ.__setitem__(key, old) if old is not None else os.environ.pop(key, None))

    def serve(self, framework=None, multi_model=False):
        server = make_server(ToolkitHandler(framework, multi_model=multi_model), port=0, host='127.0.0.1',
                             model_dir=None if multi_model else self.model_dir, multi_model=multi_model)
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.conn = http.client.HTTPConnection('127.0.0.1', server.server_address[1], timeout=30)
        self.addCleanup(self.conn.close)
        return server

    def request(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.getheader('Content-Type'), response.read()

    def invoke(self, body, content_type, accept=None):
        headers = {'Content-Type': content_type}
        if accept is not None:
            headers['Accept'] = accept
        return self.request('POST', '/invocations', body, headers)


# A model that is a plain dict, so the toolkit's behaviour is visible without any framework.
SCRIPT = '''
import json
import os

from helper import scale

def model_fn(model_dir):
    with open(os.path.join(model_dir, 'weights.json')) as f:
        return json.load(f)

def input_fn(input_data, content_type):
    if content_type != 'application/json':
        raise ValueError('only JSON here, got ' + str(content_type))
    assert isinstance(input_data, str)
    return json.loads(input_data)

def predict_fn(data, model):
    if data == 'boom':
        raise RuntimeError('the model exploded')
    return [scale(model['w'] * x) for x in data]

def output_fn(prediction, accept):
    if accept == 'text/csv':
        return ','.join(str(p) for p in prediction), 'text/csv'
    return json.dumps({'predictions': prediction})
'''


class UserScriptTest(EnvCase):
    def setUp(self):
        super().setUp()
        write(os.path.join(self.model_dir, 'weights.json'), '{"w": 3}')
        write(os.path.join(self.model_dir, 'code', 'inference.py'), SCRIPT)
        write(os.path.join(self.model_dir, 'code', 'helper.py'), 'def scale(x):\n    return x + 1\n')

    def test_runs_model_input_predict_output_fn_from_model_code(self):
        self.serve()
        status, kind, body = self.invoke(b'[1, 2]', 'application/json', 'application/json')
        self.assertEqual((status, kind, json.loads(body)), (200, 'application/json', {'predictions': [4, 7]}))
        status, kind, body = self.invoke(b'[1, 2]', 'application/json', 'text/csv')
        self.assertEqual((status, kind, body), (200, 'text/csv', b'4,7'))

    def test_missing_accept_is_application_json(self):
        self.serve()
        status, kind, _ = self.invoke(b'[1]', 'application/json', '*/*')
        self.assertEqual((status, kind), (200, 'application/json'))

    def test_handler_error_is_500_with_the_message(self):
        self.serve()
        status, _, body = self.invoke(b'"boom"', 'application/json')
        self.assertEqual(status, 500)
        self.assertIn(b'the model exploded', body)
        status, _, body = self.invoke(b'1,2', 'text/csv')
        self.assertEqual(status, 500)
        self.assertIn(b'only JSON here, got text/csv', body)

    def test_status_code_attribute_chooses_the_status(self):
        write(os.path.join(self.model_dir, 'code', 'inference.py'), '''
            class Teapot(Exception):
                status_code = 418
                message = 'short and stout'
            def model_fn(model_dir):
                return None
            def transform_fn(model, data, content_type, accept):
                raise Teapot()
        ''')
        self.serve()
        self.assertEqual(self.invoke(b'x', 'text/plain')[::2], (418, b'short and stout'))

    def test_sagemaker_program_names_another_script(self):
        write(os.path.join(self.model_dir, 'code', 'serve_me.py'), '''
            def model_fn(model_dir):
                return 'other'
            def transform_fn(model, data, content_type, accept, context):
                return model + ':' + data + ':' + context.model_dir, 'text/plain'
        ''')
        self.set_env('SAGEMAKER_PROGRAM', 'serve_me.py')
        self.serve()
        status, kind, body = self.invoke(b'hi', 'text/csv')
        self.assertEqual((status, kind, body.decode()), (200, 'text/plain', f'other:hi:{self.model_dir}'))

    def test_submit_directory_tar_gz_with_opt_ml_rebased(self):
        source = os.path.join(self.tmp.name, 'src')
        write(os.path.join(source, 'inference.py'), '''
            def model_fn(model_dir):
                return 'from-submit-dir'
            def predict_fn(data, model):
                return [model]
        ''')
        archive = os.path.join(self.tmp.name, 'sourcedir.tar.gz')
        with tarfile.open(archive, 'w:gz') as tar:
            tar.add(os.path.join(source, 'inference.py'), arcname='inference.py')
        self.set_env('SAGEMAKER_BASE_DIR', self.tmp.name)
        self.set_env('SAGEMAKER_SUBMIT_DIRECTORY', '/opt/ml/sourcedir.tar.gz')
        self.serve()
        self.assertEqual(json.loads(self.invoke(b'[1]', 'application/json')[2]), ['from-submit-dir'])

    def test_s3_submit_directory_must_be_staged(self):
        self.set_env('SAGEMAKER_SUBMIT_DIRECTORY', 's3://bucket/sourcedir.tar.gz')
        with self.assertRaisesRegex(ModelLoadError, 'must stage it into /opt/ml/model/code'):
            ToolkitHandler('sklearn').load(self.model_dir)

    def test_sagemaker_inference_helpers_are_importable(self):
        write(os.path.join(self.model_dir, 'code', 'inference.py'), '''
            from sagemaker_inference import content_types, decoder, encoder, errors
            def model_fn(model_dir):
                return 10
            def input_fn(data, content_type):
                if content_type != content_types.JSON:
                    raise errors.GenericInferenceToolkitError(400, 'send JSON')
                return decoder.decode(data, content_type)
            def predict_fn(data, model):
                return data + model
            def output_fn(prediction, accept):
                return encoder.encode(prediction, content_types.CSV), content_types.CSV
        ''')
        self.serve()
        self.assertEqual(self.invoke(b'[1, 2]', 'application/json')[::2], (200, b'11\n12\n'))
        self.assertEqual(self.invoke(b'1', 'text/csv')[::2], (400, b'send JSON'))

    def test_transform_fn_with_input_fn_is_refused(self):
        write(os.path.join(self.model_dir, 'code', 'inference.py'), '''
            def model_fn(d): return 1
            def input_fn(d, c): return d
            def transform_fn(m, d, c, a): return d
        ''')
        with self.assertRaisesRegex(ModelLoadError, 'Cannot use transform_fn implementation in conjunction'):
            ToolkitHandler().load(self.model_dir)

    def test_script_import_error_names_the_script(self):
        write(os.path.join(self.model_dir, 'code', 'inference.py'), 'import no_such_module_here\n')
        with self.assertRaisesRegex(ModelLoadError, r"inference.py: ModuleNotFoundError: No module named 'no_such_module_here'"):
            ToolkitHandler().load(self.model_dir)

    def test_failing_requirements_stop_the_load(self):
        write(os.path.join(self.model_dir, 'code', 'requirements.txt'), '-r /nonexistent/requirements-file.txt\n')
        with self.assertRaisesRegex(ModelLoadError, 'pip install -r .*requirements.txt failed'):
            ToolkitHandler().load(self.model_dir)


class DefaultCodecsTest(EnvCase):
    """A user script with only model_fn and predict_fn: the default input_fn / output_fn."""

    def setUp(self):
        super().setUp()
        write(os.path.join(self.model_dir, 'code', 'inference.py'), '''
            import numpy as np
            def model_fn(model_dir):
                return 2.0
            def predict_fn(data, model):
                return np.asarray(data) * model
        ''')
        self.serve()

    def test_json_in_json_out(self):
        status, kind, body = self.invoke(b'[[1, 2], [3, 4]]', 'application/json')
        self.assertEqual((status, kind, json.loads(body)), (200, 'application/json', [[2, 4], [6, 8]]))

    def test_csv_in_csv_out(self):
        status, kind, body = self.invoke(b'1,2\n3,4\n', 'text/csv', 'text/csv')
        self.assertEqual((status, kind, body), (200, 'text/csv', b'2.0,4.0\n6.0,8.0\n'))

    def test_npy_in_npy_out(self):
        buffer = io.BytesIO()
        np.save(buffer, np.array([1.5, 2.5]))
        status, kind, body = self.invoke(buffer.getvalue(), 'application/x-npy', 'application/x-npy')
        self.assertEqual((status, kind), (200, 'application/x-npy'))
        np.testing.assert_array_equal(np.load(io.BytesIO(body)), [3.0, 5.0])

    def test_unsupported_content_type_is_415(self):
        status, _, body = self.invoke(b'<x/>', 'application/xml')
        self.assertEqual(status, 415)
        self.assertIn(b'Content type application/xml is not supported by this framework', body)

    def test_unsupported_accept_is_415(self):
        status, _, body = self.invoke(b'[1]', 'application/json', 'image/png')
        self.assertEqual(status, 415)
        self.assertIn(b'Content type image/png is not supported by this framework', body)

    def test_accept_list_picks_the_first_supported(self):
        status, kind, body = self.invoke(b'[1]', 'application/json', 'image/png, text/csv')
        self.assertEqual((status, kind, body), (200, 'text/csv', b'2.0\n'))

    def test_default_accept_from_environment(self):
        self.set_env('SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT', 'text/csv')
        self.assertEqual(self.invoke(b'[1]', 'application/json')[:2], (200, 'text/csv'))

    def test_undecodable_json_is_500(self):
        status, _, body = self.invoke(b'{not json', 'application/json')
        self.assertEqual(status, 500)
        self.assertIn(b'Expecting property name', body)


class CodecsTest(unittest.TestCase):
    def test_decoders(self):
        np.testing.assert_array_equal(codecs.decode('[[1,2]]', 'application/json'), [[1, 2]])
        np.testing.assert_array_equal(codecs.decode(b'1,2\n3,4', 'text/csv; charset=utf-8'), [[1, 2], [3, 4]])
        with self.assertRaises(UnsupportedFormatError) as caught:
            codecs.decode(b'', 'text/plain')
        self.assertEqual(caught.exception.status_code, 415)

    def test_encoders(self):
        self.assertEqual(codecs.encode(np.array([1, 2]), 'application/json'), '[1, 2]')
        self.assertEqual(codecs.encode([[1, 2]], 'text/csv'), '1,2\n')
        self.assertEqual(codecs.parse_accept('a/b, c/d;q=0.5'), ['a/b', 'c/d'])


class WorkersTest(unittest.TestCase):
    """``python -m salvia_algorithms.inference_toolkit serve`` with SAGEMAKER_MODEL_SERVER_WORKERS=2:
    two worker processes answer on one port; a killed worker is replaced; SIGTERM stops them all."""

    def test_pre_forked_workers(self):
        import signal
        import socket
        import subprocess
        import sys
        import time

        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        write(os.path.join(tmp.name, 'model', 'code', 'inference.py'), '''
            import os
            def model_fn(model_dir):
                return 'm'
            def transform_fn(model, data, content_type, accept):
                return str(os.getpid()), 'text/plain'
        ''')
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, SAGEMAKER_BASE_DIR=tmp.name, SAGEMAKER_BIND_TO_PORT=str(port), SAGEMAKER_MODEL_SERVER_WORKERS='2',
                   PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), PYTHONDONTWRITEBYTECODE='1')
        env.pop('SAGEMAKER_MULTI_MODEL', None)
        process = subprocess.Popen([sys.executable, '-m', 'salvia_algorithms.inference_toolkit', 'serve'], env=env, cwd=tmp.name,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(process.stderr.close)
        self.addCleanup(lambda: process.poll() is None and process.kill())

        def children():
            with open(f'/proc/{process.pid}/task/{process.pid}/children', encoding='ascii') as f:
                return {int(pid) for pid in f.read().split()}

        def until(condition, what):
            deadline = time.monotonic() + 20
            while not condition():
                if process.poll() is not None:
                    self.fail(f'the server exited: {process.stderr.read().decode()}')
                self.assertLess(time.monotonic(), deadline, what)
                time.sleep(0.05)

        def ask():
            try:
                conn = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
                conn.request('POST', '/invocations', b'x', {'Content-Type': 'text/plain'})
                answer = conn.getresponse()
                pid = int(answer.read()) if answer.status == 200 else None
                conn.close()
                return pid
            except OSError:
                return None

        until(lambda: len(children()) == 2, 'two workers')
        first = children()
        until(lambda: ask() in first, 'a worker answers')
        victim = next(iter(first))
        os.kill(victim, signal.SIGKILL)
        until(lambda: len(children()) == 2 and victim not in children(), 'the killed worker is replaced')
        workers = children()
        self.assertIn(ask(), workers)
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=20), 0)
        def gone(pid):
            try:
                with open(f'/proc/{pid}/stat', encoding='ascii') as f:
                    return f.read().split()[2] == 'Z'
            except FileNotFoundError:
                return True

        # the server reaps every worker before it exits
        self.assertEqual([pid for pid in workers if not gone(pid)], [])


if __name__ == '__main__':
    unittest.main()
