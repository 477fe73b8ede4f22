"""Unit tests of salvia_algorithms.kmeans: training end to end (as the platform runs it), the
metric regexes against the printed lines, bad input as ClientError, and the serving handler."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from salvia_algorithms import formats as F
from salvia_algorithms.kmeans import algorithm
from salvia_algorithms.kmeans.handler import KMeansHandler
from salvia_algorithms.kmeans.model import KMeansModel, load, save
from salvia_algorithms.serving import HttpError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METRICS = os.path.join(ROOT, 'salvia_algorithms', 'kmeans', 'metrics.json')
TRUE_CENTERS = np.float32([[0, 0, 0], [20, 0, 0], [0, 20, 0], [0, 0, 20]])


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(TRUE_CENTERS), n)
    return (TRUE_CENTERS[labels] + rng.normal(scale=1.0, size=(n, 3))).astype(np.float32), labels


def purity(predicted, truth):
    return sum(np.bincount(truth[predicted == c]).max() for c in np.unique(predicted)) / len(truth)


class Job:
    """A base dir standing in for /opt/ml, and `python -m salvia_algorithms.kmeans train` on it."""

    def __init__(self, hyperparameters, channels):
        self.base = tempfile.mkdtemp(prefix='kmeans-test-')
        config = os.path.join(self.base, 'input', 'config')
        os.makedirs(config)
        data_config = {}
        for name, (content_type, files) in channels.items():
            directory = os.path.join(self.base, 'input', 'data', name)
            os.makedirs(directory)
            for file_name, content in files.items():
                with open(os.path.join(directory, file_name), 'wb' if isinstance(content, bytes) else 'w') as f:
                    f.write(content)
            data_config[name] = {'ContentType': content_type} if content_type else {}
        with open(os.path.join(config, 'hyperparameters.json'), 'w') as f:
            json.dump(hyperparameters, f)
        with open(os.path.join(config, 'inputdataconfig.json'), 'w') as f:
            json.dump(data_config, f)

    def run(self):
        env = {**os.environ, 'SAGEMAKER_BASE_DIR': self.base, 'PYTHONPATH': ROOT}
        result = subprocess.run([sys.executable, '-m', 'salvia_algorithms.kmeans', 'train'], env=env, capture_output=True, text=True, timeout=120)
        failure = os.path.join(self.base, 'output', 'failure')
        self.failure = None
        if os.path.exists(failure):
            with open(failure, encoding='utf-8') as f:
                self.failure = f.read()
        return result

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)


class TrainingTest(unittest.TestCase):
    def job(self, hyperparameters, channels):
        job = Job(hyperparameters, channels)
        self.addCleanup(job.cleanup)
        return job

    def test_recovers_blobs_and_logs_test_metrics_the_regexes_match(self):
        x, labels = blobs(4000, 1)
        test_x, test_labels = blobs(500, 2)
        job = self.job({'k': '4', 'feature_dim': '3', 'mini_batch_size': '500', 'eval_metrics': '["msd","ssd"]'},
                       {'train': ('application/x-recordio-protobuf', {'part-0': F.write_dense(x[:2000]), 'part-1': F.write_dense(x[2000:])}),
                        'test': ('text/csv;label_size=0', {'test.csv': '\n'.join(','.join(map(str, r)) for r in test_x)})})
        result = job.run()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        model = load(os.path.join(job.base, 'model'))
        self.assertEqual((model.k, model.feature_dim), (4, 3))
        self.assertEqual(purity(model.predict(test_x)[0], test_labels), 1.0)
        stored = [line.replace('\t', '#011') for line in result.stdout.splitlines()]
        found = {}
        with open(METRICS, encoding='utf-8') as f:
            definitions = json.load(f)
        for definition in definitions:
            for line in stored:
                match = re.search(definition['Regex'], line)
                if match:
                    found[definition['Name']] = float(match.group(1))
        self.assertEqual(sorted(found), ['test:msd', 'test:ssd'])
        self.assertAlmostEqual(found['test:msd'] * 500, found['test:ssd'], places=3)
        self.assertLess(found['test:msd'], 4.0)  # 3 dims of unit variance ≈ 3
        self.assertIn("#test_score (algo-1) : ('msd', ", result.stdout)

    def test_csv_train_kmeans_plus_plus_and_epochs(self):
        x, labels = blobs(1000, 3)
        job = self.job({'k': '4', 'feature_dim': '3', 'init_method': 'kmeans++', 'epochs': '3', 'extra_center_factor': '2',
                        'local_lloyd_init_method': 'random', 'half_life_time_size': '100', 'force_dense': 'True'},
                       {'train': ('text/csv', {'a.csv': '\n'.join(','.join(map(str, r)) for r in x)})})
        result = job.run()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertGreaterEqual(purity(load(os.path.join(job.base, 'model')).predict(x)[0], labels), 0.99)

    def assertClientError(self, hyperparameters, channels, *fragments):
        job = self.job(hyperparameters, channels)
        result = job.run()
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertTrue(job.failure and job.failure.startswith('ClientError: '), job.failure)
        for fragment in fragments:
            self.assertIn(fragment, job.failure)

    def test_bad_input_fails_with_client_error(self):
        x, _ = blobs(20, 4)
        good = {'train': ('application/x-recordio-protobuf', {'a': F.write_dense(x)})}
        self.assertClientError({'feature_dim': '3'}, good, "'k' is a required hyperparameter")
        self.assertClientError({'k': '0', 'feature_dim': '3'}, good, "'k'", 'minimum of 1')
        self.assertClientError({'k': '2', 'feature_dim': '3', 'init_method': 'best'}, good, "'init_method'")
        self.assertClientError({'k': '2', 'feature_dim': '5'}, good, 'feature_dim', 'have 3 features', '5')
        self.assertClientError({'k': '21', 'feature_dim': '3'}, good, 'k=21 is greater than the number of training records (20)')
        self.assertClientError({'k': '2', 'feature_dim': '3'}, {**good, 'validation': (None, {'v.csv': '1,2,3\n'})}, "'validation' was unexpected")
        self.assertClientError({'k': '2', 'feature_dim': '2'}, {'train': ('text/csv', {'a.csv': '1,2\n3,4\n5\n'})},
                               'train/a.csv: line 3 has 1 columns, but line 1 has 2')
        self.assertClientError({'k': '2', 'feature_dim': '2'}, {'train': ('text/csv', {'a.csv': '1,2\nnan,4\n'})}, 'NaN')
        self.assertClientError({'k': '2', 'feature_dim': '2'}, {'train': ('application/x-recordio-protobuf', {'a.csv': '1,2,3,4,5\n'})},
                               'train/a.csv: invalid RecordIO magic number')
        self.assertClientError({'k': '2', 'feature_dim': '2'}, {'train': ('image/png', {'a': '1,2\n'})}, "Content type 'image/png'")
        self.assertClientError({'k': '2', 'feature_dim': '2'}, {}, "'train' is a required property")


class AlgorithmTest(unittest.TestCase):
    def test_minibatch_then_local_lloyd(self):
        x, labels = blobs(3000, 5)
        rng = np.random.default_rng(0)
        centers, weights = algorithm.minibatch(x, 40, 300, 1, 'random', 0, rng)
        self.assertEqual(centers.shape, (40, 3))
        self.assertAlmostEqual(weights.sum(), 3000)
        final, loss, _ = algorithm.local_lloyd(centers, weights, 4, 'kmeans++', 300, 1e-4, 5, rng)
        found = sorted(map(tuple, np.round(final / 20).astype(int)))
        self.assertEqual(found, sorted(map(tuple, (TRUE_CENTERS / 20).astype(int))))
        self.assertEqual(purity(algorithm.assign(x, final)[0], labels), 1.0)


class HandlerTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        save(KMeansModel(TRUE_CENTERS), directory)
        self.handler = KMeansHandler()
        self.model = self.handler.load(directory)

    def test_formats(self):
        body, kind = self.handler.invoke(self.model, b'20,0,3\n0,0,0\n', 'text/csv', None)
        self.assertEqual(kind, 'application/json')
        self.assertEqual(json.loads(body), {'predictions': [{'closest_cluster': 1.0, 'distance_to_cluster': 3.0},
                                                            {'closest_cluster': 0.0, 'distance_to_cluster': 0.0}]})
        request = json.dumps({'instances': [{'features': [0, 19, 0]}, {'data': {'features': {'values': [20], 'keys': [2], 'shape': [3]}}}]})
        body, kind = self.handler.invoke(self.model, request.encode(), 'application/json', 'application/jsonlines')
        self.assertEqual([json.loads(line)['closest_cluster'] for line in body.decode().splitlines()], [2.0, 3.0])
        body, kind = self.handler.invoke(self.model, F.write_dense(np.float32([[0, 0, 21]])), 'application/x-recordio-protobuf',
                                         'application/x-recordio-protobuf')
        record = next(F.iter_decoded(body))
        self.assertEqual((record.label['closest_cluster'].values[0], record.label['distance_to_cluster'].values[0]), (3.0, 1.0))
        body, kind = self.handler.invoke(self.model, b'0,20,1\n', 'text/csv', 'text/csv')
        self.assertEqual(body, b'2.0,1.0\n')

    def test_errors(self):
        cases = [(b'1,2\n', 'text/csv', None, 400, 'feature_dim=3'), (b'x', 'image/png', None, 415, 'image/png'),
                 (b'1,2,3', 'text/csv', 'text/html', 406, 'text/html'), (b'', 'text/csv', None, 204, ''),
                 (b'1,a,3', 'text/csv', None, 400, "'a' is not a number"), (b'nan,1,2', 'text/csv', None, 400, 'NaN')]
        for body, content_type, accept, status, fragment in cases:
            with self.assertRaises(HttpError) as caught:
                self.handler.invoke(self.model, body, content_type, accept)
            self.assertEqual(caught.exception.status, status, caught.exception.message)
            self.assertIn(fragment, caught.exception.message)


if __name__ == '__main__':
    unittest.main()
