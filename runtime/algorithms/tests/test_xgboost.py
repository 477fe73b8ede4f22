"""The XGBoost algorithm: hyperparameter validation, data readers, the printed metric lines against
metrics.json's regexes, and a small train → serve round trip through the real programs."""

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest

import numpy as np

try:
    import xgboost  # noqa: F401
except ImportError:  # pragma: no cover - the platform's algorithm interpreter has it
    xgboost = None

from salvia_algorithms.contract import Channel, ClientError
from salvia_algorithms.xgboost import data
from salvia_algorithms.xgboost.hyperparameters import validate, xgboost_params

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, 'salvia_algorithms', 'xgboost')


class HyperparameterTest(unittest.TestCase):
    def test_valid_values_and_aliases(self):
        values, tuning = validate({'num_round': '10', 'learning_rate': '0.1', 'objective': 'multi:softprob', 'num_class': '3',
                                   'eval_metric': 'merror,accuracy', 'max_depth': '4', '_tuning_objective_metric': 'validation:accuracy',
                                   'sagemaker_program': 'x'})
        self.assertEqual(values['eta'], 0.1)
        self.assertEqual(values['eval_metric'], ['merror', 'accuracy'])
        self.assertEqual(tuning, 'accuracy')
        params = xgboost_params(values)
        self.assertEqual(params['eval_metric'], ['merror'])
        self.assertNotIn('num_round', params)
        self.assertNotIn('csv_weights', params)

    def test_errors_name_the_problem(self):
        cases = [
            ({}, "'num_round' is a required hyperparameter"),
            ({'num_round': '0'}, "'num_round': value 0 is less than the minimum of 1"),
            ({'num_round': '5', 'eta': '1.5'}, "'eta': value 1.5 is greater than the maximum of 1"),
            ({'num_round': '5', 'subsample': '0'}, "'subsample': value 0 is less than or equal to the minimum of 0"),
            ({'num_round': '5', 'objective': 'multi:softmax'}, "Require input for parameter 'num_class'"),
            ({'num_round': '5', 'num_class': '3'}, "Do not need to setup parameter 'num_class'"),
            ({'num_round': '5', 'objective': 'reg:nope'}, "'objective': value 'reg:nope'"),
            ({'num_round': '5', 'eval_metric': 'auc'}, "Metric 'auc' can only be applied"),
            ({'num_round': '5', 'eval_metric': 'nope'}, "'eval_metric': value 'nope'"),
            ({'num_round': '5', 'monotone_constraints': '(1,0)'}, 'monotone_constraints can be used only'),
            ({'num_round': '5', 'booster': 'gblinear', 'updater': 'grow_colmaker'}, 'Linear updater'),
            ({'num_round': 'ten'}, "'num_round': value 'ten' is not an integer"),
            ({'num_round': '5', 'bogus': '1'}, "'bogus' was unexpected"),
        ]
        for raw, expected in cases:
            with self.subTest(raw=raw), self.assertRaises(ClientError) as caught:
                validate(raw)
            self.assertIn(expected, str(caught.exception))

    def test_constraints_are_normalised(self):
        values, _ = validate({'num_round': '1', 'tree_method': 'hist', 'monotone_constraints': '(1, -1)', 'interaction_constraints': '[[0, 1], [2]]'})
        self.assertEqual(values['monotone_constraints'], '(1,-1)')
        self.assertEqual(values['interaction_constraints'], '[[0, 1], [2]]')


class DataTest(unittest.TestCase):
    def test_csv_label_weights_and_missing(self):
        d = data.read_csv(b'1,0.5,2,3\n0,2,,4\n', 'f.csv', csv_weights=True)
        self.assertEqual(d.labels.tolist(), [1, 0])
        self.assertEqual(d.weights.tolist(), [0.5, 2])
        self.assertEqual(d.features.shape, (2, 2))
        self.assertTrue(np.isnan(d.features[1, 0]))

    def test_csv_delimiter_is_sniffed(self):
        d = data.read_csv(b'1\t2\t3\n0\t4\t5\n', 'f.tsv')
        self.assertEqual(d.features.tolist(), [[2, 3], [4, 5]])

    def test_csv_errors(self):
        with self.assertRaisesRegex(ClientError, r'f.csv, line 3: 2 columns, but line 1 has 3 \(ragged CSV\)'):
            data.read_csv(b'1,2,3\n0,4,5\n1,2\n', 'f.csv')
        with self.assertRaisesRegex(ClientError, r"f.csv, line 2: could not convert 'x' to a number"):
            data.read_csv(b'1,2,3\n0,x,5\n', 'f.csv')
        with self.assertRaisesRegex(ClientError, 'label_size must be 1'):
            data.content_type('text/csv;label_size=0')
        with self.assertRaisesRegex(ClientError, 'Content type image/png is not supported'):
            data.content_type('image/png')

    def test_libsvm(self):
        d = data.read_libsvm(b'1 qid:1 0:1.5 3:2\n0:2 qid:1 1:1\n', 'f')
        self.assertEqual(d.features.shape, (2, 4))
        self.assertEqual(d.features.toarray().tolist(), [[1.5, 0, 0, 2], [0, 1, 0, 0]])
        self.assertEqual(d.weights.tolist(), [1, 2])
        with self.assertRaisesRegex(ClientError, 'f, line 2: not valid libsvm'):
            data.read_libsvm(b'1 0:1\n0 1-2\n', 'f')

    def test_recordio_protobuf(self):
        from salvia_algorithms.formats.record_pb import write_dense

        matrix = np.arange(6, dtype=np.float32).reshape(3, 2)
        d = data.read_recordio(write_dense(matrix, labels=[1, 0, 1]), 'f')
        self.assertEqual(d.features.tolist(), matrix.tolist())
        self.assertEqual(d.labels.tolist(), [1, 0, 1])

    def test_channel_files_are_stacked(self):
        with tempfile.TemporaryDirectory() as tmp:
            directory = os.path.join(tmp, 'train')
            os.makedirs(directory)
            for name, text in (('a.csv', '1,2\n'), ('b.csv', '0,3\n0,4\n'), ('.hidden', 'junk')):
                with open(os.path.join(directory, name), 'w', encoding='utf-8') as f:
                    f.write(text)
            d = data.read_channel(Channel('train', directory, 'text/csv'), tmp)
            self.assertEqual(d.features.tolist(), [[2], [3], [4]])


def _base(tmp, hyperparameters, train_rows, validation_rows=None, content_type='text/csv', extra_channels=()):
    os.makedirs(os.path.join(tmp, 'input', 'config'))
    config = {}
    for name, rows in (('train', train_rows), ('validation', validation_rows)) + tuple(extra_channels):
        if rows is None:
            continue
        os.makedirs(os.path.join(tmp, 'input', 'data', name))
        with open(os.path.join(tmp, 'input', 'data', name, 'part.csv'), 'w', encoding='utf-8') as f:
            f.write(rows)
        config[name] = {'ContentType': content_type, 'TrainingInputMode': 'File'}
    for file, value in (('hyperparameters.json', hyperparameters), ('inputdataconfig.json', config)):
        with open(os.path.join(tmp, 'input', 'config', file), 'w', encoding='utf-8') as f:
            json.dump(value, f)


def _run(tmp, command='train'):
    env = dict(os.environ, SAGEMAKER_BASE_DIR=tmp, PYTHONPATH=ROOT, PYTHONUNBUFFERED='1')
    return subprocess.run([sys.executable, '-m', 'salvia_algorithms.xgboost', command], env=env, capture_output=True, text=True, timeout=120, check=False)


def _binary_rows(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.rand(n, 3)
    y = (x[:, 0] + x[:, 1] > 1).astype(int)
    return ''.join(f'{label},{a:.4f},{b:.4f},{c:.4f}\n' for label, (a, b, c) in zip(y, x))


@unittest.skipIf(xgboost is None, 'xgboost is not importable by this interpreter')
class TrainServeTest(unittest.TestCase):
    def test_metric_lines_match_the_predefined_regexes(self):
        with open(os.path.join(PACKAGE, 'metrics.json'), encoding='utf-8') as f:
            definitions = {d['Name']: d['Regex'] for d in json.load(f)}
        self.assertIn('validation:rmse', definitions)
        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '3', 'objective': 'binary:logistic', 'eval_metric': 'logloss,error,auc,accuracy,f1'},
                  _binary_rows(200, 1), _binary_rows(50, 2))
            result = _run(tmp)
            self.assertEqual(result.returncode, 0, result.stderr)
            lines = [line.replace('\t', '#011') for line in result.stdout.splitlines()]
            self.assertEqual(len(lines), 3)
            self.assertTrue(lines[0].startswith('[0]#011train-logloss:'))
            for metric in ('logloss', 'error', 'auc', 'accuracy', 'f1'):
                for channel in ('train', 'validation'):
                    match = re.search(definitions[f'{channel}:{metric}'], lines[-1])
                    self.assertIsNotNone(match, f'{channel}:{metric} in {lines[-1]}')
                    float(match.group(1))
            # 'error' must not pick up 'merror' and vice versa
            self.assertIsNone(re.search(definitions['validation:merror'], lines[-1]))
            self.assertTrue(os.path.isfile(os.path.join(tmp, 'model', 'xgboost-model')))
            with open(os.path.join(tmp, 'model', 'xgboost-model'), 'rb') as f:
                self.assertEqual(f.read(4), b'binf')  # xgboost's binary format, as the 1.7-1 container writes

    def test_failures_are_client_errors(self):
        cases = [
            ({'num_round': '2'}, '1,2,3\n0,1\n', 'train/part.csv, line 2: 2 columns, but line 1 has 3'),
            ({'eta': '0.1'}, '1,2\n', "'num_round' is a required hyperparameter"),
            ({'num_round': '2', 'objective': 'binary:logistic'}, '3,2\n1,1\n', 'label must be in [0,1]'),
        ]
        for hyperparameters, rows, expected in cases:
            with self.subTest(expected=expected), tempfile.TemporaryDirectory() as tmp:
                _base(tmp, hyperparameters, rows)
                result = _run(tmp)
                self.assertEqual(result.returncode, 1)
                with open(os.path.join(tmp, 'output', 'failure'), encoding='utf-8') as f:
                    failure = f.read()
                self.assertTrue(failure.startswith('ClientError: '), failure)
                self.assertIn(expected, failure)
        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '2'}, '1,2\n', extra_channels=(('test', '1,2\n'),))
            self.assertEqual(_run(tmp).returncode, 1)
            with open(os.path.join(tmp, 'output', 'failure'), encoding='utf-8') as f:
                self.assertIn('Channel(s) test are not supported', f.read())

    def test_checkpoints_resume_and_early_stopping(self):
        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '3'}, _binary_rows(100, 3), _binary_rows(30, 4))
            with open(os.path.join(tmp, 'input', 'config', 'checkpointconfig.json'), 'w', encoding='utf-8') as f:
                json.dump({'LocalPath': os.path.join(tmp, 'ckpt')}, f)
            self.assertEqual(_run(tmp).returncode, 0)
            self.assertEqual(sorted(os.listdir(os.path.join(tmp, 'ckpt'))), [f'xgboost-checkpoint.{i}' for i in range(3)])
            with open(os.path.join(tmp, 'input', 'config', 'hyperparameters.json'), 'w', encoding='utf-8') as f:
                json.dump({'num_round': '5'}, f)
            result = _run(tmp)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual([line.split('\t')[0] for line in result.stdout.splitlines()], ['[3]', '[4]'])
            self.assertEqual(xgboost.Booster(model_file=os.path.join(tmp, 'model', 'xgboost-model')).num_boosted_rounds(), 5)
        with tempfile.TemporaryDirectory() as tmp:
            # a validation set the model cannot learn: early stopping ends well before num_round
            _base(tmp, {'num_round': '200', 'early_stopping_rounds': '3', 'eta': '0.5'}, _binary_rows(200, 5),
                  ''.join(f'{i % 2},0.5,0.5,0.5\n' for i in range(20)))
            result = _run(tmp)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertLess(len(result.stdout.splitlines()), 200)

    def test_pipe_mode_and_validation_content_type_from_train(self):
        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '2'}, _binary_rows(50, 6), _binary_rows(20, 7))
            # Pipe mode reads the channel's FIFO <channel>_0 (a regular file stands in for it here)
            os.rename(os.path.join(tmp, 'input', 'data', 'train', 'part.csv'), os.path.join(tmp, 'input', 'data', 'train_0'))
            with open(os.path.join(tmp, 'input', 'config', 'inputdataconfig.json'), 'w', encoding='utf-8') as f:
                json.dump({'train': {'ContentType': 'text/csv', 'TrainingInputMode': 'Pipe'}, 'validation': {'TrainingInputMode': 'File'}}, f)
            result = _run(tmp)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn('Read 50 training rows and 20 validation rows', result.stderr)

    def test_sigterm_saves_the_model_with_save_model_on_termination(self):
        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '100000', 'save_model_on_termination': 'true', 'max_depth': '2'}, _binary_rows(200, 9))
            env = dict(os.environ, SAGEMAKER_BASE_DIR=tmp, PYTHONPATH=ROOT, PYTHONUNBUFFERED='1')
            process = subprocess.Popen([sys.executable, '-m', 'salvia_algorithms.xgboost', 'train'], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertTrue(process.stdout.readline().startswith('[0]'))  # training is under way
            process.terminate()
            _, err = process.communicate(timeout=60)
            self.assertEqual(process.returncode, 0, err)
            self.assertIn('save_model_on_termination', err)
            rounds = xgboost.Booster(model_file=os.path.join(tmp, 'model', 'xgboost-model')).num_boosted_rounds()
            self.assertTrue(0 < rounds < 100000, rounds)

    def test_multi_model_server(self):
        from salvia_algorithms.serving import make_server
        from salvia_algorithms.xgboost.inference import XGBoostHandler

        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '2', 'objective': 'binary:logistic'}, _binary_rows(60, 8))
            self.assertEqual(_run(tmp).returncode, 0)
            server = make_server(XGBoostHandler(), port=0, host='127.0.0.1', multi_model=True)
            threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
            self.addCleanup(server.server_close)
            self.addCleanup(server.shutdown)
            conn = http.client.HTTPConnection('127.0.0.1', server.server_address[1], timeout=10)
            self.addCleanup(conn.close)
            conn.request('POST', '/models', body=json.dumps({'model_name': 'm1', 'url': os.path.join(tmp, 'model')}))
            response = conn.getresponse()
            self.assertEqual((response.status, json.loads(response.read())), (200, {'status': 'Model "m1" registered'}))
            os.environ['SAGEMAKER_BATCH'] = 'true'
            try:
                conn.request('POST', '/models/m1/invoke', body='0.9,0.9,0.1\n0.1,0.1,0.1\n', headers={'Content-Type': 'text/csv'})
                response = conn.getresponse()
                body = response.read().decode()
            finally:
                del os.environ['SAGEMAKER_BATCH']
            self.assertEqual(response.status, 200)
            scores = [float(v) for v in body.split('\n') if v]
            self.assertTrue(body.endswith('\n') and len(scores) == 2 and scores[0] > 0.5 > scores[1], body)
            conn.request('POST', '/models/other/invoke', body='1,2,3', headers={'Content-Type': 'text/csv'})
            response = conn.getresponse()
            self.assertEqual((response.status, json.loads(response.read())['type']), (404, 'ModelNotFoundException'))

    def test_serve_round_trip(self):
        from salvia_algorithms.serving import make_server
        from salvia_algorithms.xgboost.inference import XGBoostHandler

        with tempfile.TemporaryDirectory() as tmp:
            _base(tmp, {'num_round': '5', 'objective': 'multi:softprob', 'num_class': '3'}, ''.join(f'{i % 3},{i % 3}.5,{i}\n' for i in range(60)))
            self.assertEqual(_run(tmp).returncode, 0)
            server = make_server(XGBoostHandler(), port=0, host='127.0.0.1', model_dir=os.path.join(tmp, 'model'), multi_model=False)
            threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
            self.addCleanup(server.server_close)
            self.addCleanup(server.shutdown)
            conn = http.client.HTTPConnection('127.0.0.1', server.server_address[1], timeout=10)
            self.addCleanup(conn.close)

            def post(body, content_type='text/csv', accept=None):
                headers = {'Content-Type': content_type} | ({'Accept': accept} if accept else {})
                conn.request('POST', '/invocations', body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.getheader('Content-Type'), response.read()

            status, kind, body = post('0.5,1\n2.5,2\n')
            self.assertEqual((status, kind), (200, 'text/csv'))
            rows = [[float(v) for v in line.split(',')] for line in body.decode().splitlines()]
            self.assertEqual([int(np.argmax(r)) for r in rows], [0, 2])
            status, _, body = post(json.dumps({'instances': [{'features': [1.5, 1]}]}), 'application/json', 'application/json')
            self.assertEqual(status, 200)
            self.assertEqual(len(json.loads(body)['predictions'][0]['score']), 3)
            self.assertEqual(post('1 0:0.5 1:1\n', 'text/libsvm')[0], 200)
            status, _, body = post('1,2,3\n')
            self.assertEqual(status, 400)
            self.assertTrue(body.startswith(b'Unable to evaluate payload provided: Feature size'), body)
            self.assertEqual(post('')[0], 204)
            self.assertEqual(post('1,2', 'image/png')[0], 415)
            self.assertEqual(post('1,2', 'text/csv', 'text/html')[0], 406)
            os.environ['SAGEMAKER_INFERENCE_OUTPUT'] = 'predicted_label,probabilities'
            try:
                status, _, body = post('2.5,2\n', 'text/csv', 'application/json')
            finally:
                del os.environ['SAGEMAKER_INFERENCE_OUTPUT']
            prediction = json.loads(body)['predictions'][0]
            self.assertEqual(prediction['predicted_label'], 2)
            self.assertEqual(len(prediction['probabilities']), 3)


class CsvRequestTest(unittest.TestCase):
    """The serving CSV parser: numpy's C reader on the bytes for the common case, the diagnosing
    path for the rest."""

    def test_fast_path_takes_crlf_empty_lines_and_nan(self):
        from salvia_algorithms.xgboost.requests import decode

        matrix = decode(b'\n1,2\r\n\r\n3,4\r\n5,nan\n', 'text/csv', 2)
        self.assertEqual(matrix.dtype, np.float32)
        self.assertEqual(np.nan_to_num(matrix, nan=-1).tolist(), [[1, 2], [3, 4], [5, -1]])
        self.assertEqual(decode(b'1;2\n3;4', 'text/csv', 2).tolist(), [[1, 2], [3, 4]])

    def test_unusual_bodies_fall_back_or_answer_as_the_container(self):
        from salvia_algorithms.serving import HttpError
        from salvia_algorithms.xgboost.requests import decode

        self.assertEqual(decode(b'1,2\n   \n3,4\n', 'text/csv', 2).tolist(), [[1, 2], [3, 4]])
        self.assertTrue(np.isnan(decode(b'1,,2\n', 'text/csv', 3)[0, 1]))
        for body, status in ((b'1,2\n3\n', 400), (b'a,b\n', 415), (b' \n\n', 204), (b'\xff\xfe', 415)):
            with self.assertRaises(HttpError) as caught:
                decode(body, 'text/csv', 2)
            self.assertEqual(caught.exception.status, status, body)


@unittest.skipIf(xgboost is None, 'xgboost is not importable by this interpreter')
class BatchServeTest(unittest.TestCase):
    """``python -m salvia_algorithms.xgboost serve`` as batch transform runs it: pre-forked workers
    (SAGEMAKER_MODEL_SERVER_WORKERS), /execution-parameters as the container answers, one
    prediction per line with SAGEMAKER_BATCH, the same values as xgboost's own predict."""

    def test_workers_execution_parameters_and_batch_predictions(self):
        import signal
        import socket
        import time

        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        _base(tmp.name, {'num_round': '5', 'objective': 'binary:logistic'}, _binary_rows(200, 3))
        self.assertEqual(_run(tmp.name).returncode, 0)
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, SAGEMAKER_BASE_DIR=tmp.name, PYTHONPATH=ROOT, SAGEMAKER_BIND_TO_PORT=str(port), SAGEMAKER_BATCH='true',
                   SAGEMAKER_MODEL_SERVER_WORKERS='2', MAX_CONTENT_LENGTH=str(10 * 1024 * 1024))
        env.pop('SAGEMAKER_MULTI_MODEL', None)
        process = subprocess.Popen([sys.executable, '-m', 'salvia_algorithms.xgboost', 'serve'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.addCleanup(process.stderr.close)
        self.addCleanup(lambda: process.poll() is None and process.kill())

        def get(path):
            conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
            try:
                conn.request('GET', path)
                response = conn.getresponse()
                return response.status, response.read()
            finally:
                conn.close()

        deadline = time.monotonic() + 30
        while True:
            try:
                if get('/ping')[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                self.fail(f'the server exited: {process.stderr.read().decode()}')
            self.assertLess(time.monotonic(), deadline, 'the server never answered /ping')
            time.sleep(0.05)
        with open(f'/proc/{process.pid}/task/{process.pid}/children', encoding='ascii') as f:
            self.assertEqual(len(f.read().split()), 2)
        status, body = get('/execution-parameters')
        self.assertEqual((status, json.loads(body)), (200, {'MaxConcurrentTransforms': 2, 'BatchStrategy': 'MULTI_RECORD', 'MaxPayloadInMB': 10}))

        rows = np.random.RandomState(5).rand(500, 3).astype(np.float32)
        payload = '\r\n'.join(','.join(f'{v:.6f}' for v in row) for row in rows).encode()
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        self.addCleanup(conn.close)
        conn.request('POST', '/invocations', body=payload, headers={'Content-Type': 'text/csv', 'Accept': 'text/csv'})
        response = conn.getresponse()
        text = response.read().decode()
        self.assertEqual(response.status, 200, text)
        lines = text.split('\n')
        self.assertEqual((len(lines), lines[-1]), (501, ''))
        booster = xgboost.Booster(model_file=os.path.join(tmp.name, 'model', 'xgboost-model'))
        parsed = np.loadtxt(payload.decode().splitlines(), delimiter=',', dtype=np.float32, ndmin=2)
        expected = booster.predict(xgboost.DMatrix(parsed), validate_features=False)
        self.assertEqual(lines[:-1], [str(v) for v in expected.tolist()])
        # the server keeps scikit-learn and pandas out of xgboost (start-up time): every request type still works
        from salvia_algorithms.formats.record_pb import write_label_records

        for body, content_type in (('1 0:0.5 1:0.5 2:0.1\n', 'text/libsvm'), ('{"instances": [[0.5, 0.5, 0.1]]}', 'application/json'),
                                   (write_label_records({'score': np.zeros(1)}, features=np.asarray([[0.5, 0.5, 0.1]])), 'application/x-recordio-protobuf')):
            conn.request('POST', '/invocations', body=body, headers={'Content-Type': content_type, 'Accept': 'application/json'})
            response = conn.getresponse()
            answer = response.read()
            self.assertEqual(response.status, 200, (content_type, answer))
            self.assertEqual(len(json.loads(answer)['predictions']), 1)
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=20), 0)

    def test_execution_parameters_defaults(self):
        from salvia_algorithms.serving import requested_workers
        from salvia_algorithms.xgboost.inference import XGBoostHandler, max_payload_in_mb

        saved = {k: os.environ.pop(k, None) for k in ('MAX_CONTENT_LENGTH', 'SAGEMAKER_MODEL_SERVER_WORKERS')}
        self.addCleanup(lambda: [os.environ.__setitem__(k, v) for k, v in saved.items() if v is not None])
        self.assertEqual(XGBoostHandler(workers=3).execution_parameters(), {'MaxConcurrentTransforms': 3, 'BatchStrategy': 'MULTI_RECORD', 'MaxPayloadInMB': 6})
        os.environ['MAX_CONTENT_LENGTH'] = str(100 * 1024 * 1024)
        self.assertEqual(max_payload_in_mb(), 20)
        self.assertEqual(requested_workers(False, default=4), 4)
        self.assertEqual(requested_workers(True, default=4), 1)
        os.environ['SAGEMAKER_MODEL_SERVER_WORKERS'] = '3'
        self.assertEqual(requested_workers(False, default=4), 3)
        del os.environ['MAX_CONTENT_LENGTH']
        del os.environ['SAGEMAKER_MODEL_SERVER_WORKERS']
        # the default follows the CPUs the process may use (an instance pinned to one CPU serves with one worker)
        self.assertEqual(XGBoostHandler().execution_parameters()['MaxConcurrentTransforms'], len(os.sched_getaffinity(0)))
        one = min(os.sched_getaffinity(0))
        pinned = subprocess.run([sys.executable, '-c', 'from salvia_algorithms.serving import available_cpus; print(available_cpus())'],
                                env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True, check=True,
                                preexec_fn=lambda: os.sched_setaffinity(0, {one}))  # noqa: PLW1509 - no threads in this test process matter
        self.assertEqual(pinned.stdout.strip(), '1')


if __name__ == '__main__':
    unittest.main()
