"""Linear Learner training: losses, threshold choice, hyperparameter checks, the three predictor
types end to end on synthetic data (through run() with real channel files), the model artifact,
and that metrics.json's regexes match the lines the program prints."""

import io
import json
import os
import re
import shutil
import tempfile
import unittest

import numpy as np

from salvia_algorithms.contract import Channel, ClientError, TrainingEnv
from salvia_algorithms.formats import write_dense, write_sparse
from salvia_algorithms.linear_learner import model as model_io
from salvia_algorithms.linear_learner.losses import Loss
from salvia_algorithms.linear_learner.scoring import best_thresholds
from salvia_algorithms.linear_learner.spec import parse_hyperparameters
from salvia_algorithms.linear_learner.train import ALGORITHM, run
from salvia_algorithms.log import AlgorithmLog

METRICS = os.path.join(os.path.dirname(__file__), '..', 'salvia_algorithms', 'linear_learner', 'metrics.json')


def csv_bytes(x, y):
    rows = np.column_stack([y, x])
    buffer = io.StringIO()
    np.savetxt(buffer, rows, delimiter=',', fmt='%.9g')
    return buffer.getvalue().encode()


class Job:
    """A temp base dir with channels written as files, and the TrainingEnv for it."""

    def __init__(self, hyperparameters, channels):
        self.root = tempfile.mkdtemp(prefix='ll-test-')
        self.channels = {}
        for name, (content_type, data) in channels.items():
            directory = os.path.join(self.root, 'input', 'data', name)
            os.makedirs(directory)
            with open(os.path.join(directory, 'part-0'), 'wb') as f:
                f.write(data)
            self.channels[name] = Channel(name=name, directory=directory, content_type=content_type)
        self.env = TrainingEnv(
            hyperparameters={k: str(v) for k, v in hyperparameters.items()},
            channels=self.channels,
            model_dir=os.path.join(self.root, 'model'),
        )
        self.out = io.StringIO()

    def run(self):
        return run(self.env, AlgorithmLog(ALGORITHM, 'algo-1', self.out))

    def lines(self):
        return self.out.getvalue().splitlines()

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def blobs(n, d, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    x = (rng.normal(size=(n, d)) * rng.uniform(0.5, 50, size=d) + rng.uniform(-100, 100, size=d)).astype(np.float32)
    return x, w, rng


class LossTest(unittest.TestCase):
    def test_gradients_match_finite_differences(self):
        rng = np.random.default_rng(1)
        s = rng.normal(size=(7, 3, 1))
        for name, y in [
            ('logistic', rng.integers(0, 2, 7).astype(float)),
            ('squared_loss', rng.normal(size=7)),
            ('huber_loss', rng.normal(size=7) * 3),
            ('quantile_loss', rng.normal(size=7)),
            ('eps_insensitive_squared_loss', rng.normal(size=7)),
        ]:
            loss = Loss(name, quantile=0.3, epsilon=0.1, delta=0.5)
            numeric = (loss.value(s + 1e-6, y) - loss.value(s - 1e-6, y)) / 2e-6
            np.testing.assert_allclose(loss.grad(s, y), numeric, atol=1e-4, err_msg=name)
        logits = rng.normal(size=(5, 2, 4))
        labels = rng.integers(0, 4, 5).astype(float)
        loss = Loss('softmax_loss')
        grad = loss.grad(logits, labels)
        bumped = logits.copy()
        bumped[:, :, 2] += 1e-6
        numeric = (loss.value(bumped, labels) - loss.value(logits, labels))[:, :, 0] / 1e-6
        np.testing.assert_allclose(grad[:, :, 2], numeric, atol=1e-4)


class ThresholdTest(unittest.TestCase):
    def test_accuracy_and_targets(self):
        scores = np.array([[0.9], [0.8], [0.7], [0.6], [0.4], [0.3], [0.2], [0.1]])
        labels = np.array([1, 1, 0, 1, 0, 0, 1, 0])
        thresholds, values = best_thresholds(scores, labels, 'accuracy')
        predicted = scores[:, 0] >= thresholds[0]
        self.assertAlmostEqual(values[0], np.mean(predicted == labels))
        self.assertAlmostEqual(values[0], 0.75)
        thresholds, values = best_thresholds(scores, labels, 'precision_at_target_recall', target_recall=1.0)
        self.assertLessEqual(thresholds[0], 0.2)  # every positive must be caught
        self.assertAlmostEqual(values[0], 4 / 7)
        thresholds, values = best_thresholds(scores, labels, 'recall_at_target_precision', target_precision=1.0)
        self.assertAlmostEqual(values[0], 0.5)  # the top two only
        self.assertGreater(thresholds[0], 0.7)


class HyperparameterTest(unittest.TestCase):
    def test_required_and_cross_field(self):
        with self.assertRaisesRegex(ClientError, "'predictor_type' is a required hyperparameter"):
            parse_hyperparameters({'feature_dim': '3'})
        with self.assertRaisesRegex(ClientError, 'num_classes'):
            parse_hyperparameters({'predictor_type': 'multiclass_classifier'})
        with self.assertRaisesRegex(ClientError, "value 'hinge_loss' is not valid for predictor_type 'regressor'"):
            parse_hyperparameters({'predictor_type': 'regressor', 'loss': 'hinge_loss'})
        with self.assertRaisesRegex(ClientError, "'epochs': value 0 is less than the minimum of 1"):
            parse_hyperparameters({'predictor_type': 'regressor', 'epochs': '0'})
        with self.assertRaisesRegex(ClientError, "'bogus'"):
            parse_hyperparameters({'predictor_type': 'regressor', 'bogus': '1'})
        with self.assertRaisesRegex(ClientError, 'positive_example_weight_mult'):
            parse_hyperparameters({'predictor_type': 'binary_classifier', 'positive_example_weight_mult': '-1'})
        hp = parse_hyperparameters({'predictor_type': 'binary_classifier', 'positive_example_weight_mult': 'balanced', '_tuning_objective_metric': 'x'})
        self.assertEqual(hp['loss'], 'logistic')
        self.assertEqual(hp['positive_example_weight_mult'], 'balanced')


class TrainingTest(unittest.TestCase):
    def tearDown(self):
        for job in getattr(self, 'jobs', []):
            job.close()

    def job(self, hyperparameters, channels):
        job = Job(hyperparameters, channels)
        self.jobs = getattr(self, 'jobs', []) + [job]
        return job

    def test_binary_classifier_protobuf(self):
        x, w, rng = blobs(3000, 6, 2)
        z = (x - x.mean(0)) / x.std(0) @ w
        y = (z + rng.normal(scale=0.3, size=len(z)) > 0).astype(np.float32)
        job = self.job(
            {'predictor_type': 'binary_classifier', 'feature_dim': '6', 'mini_batch_size': '100', 'epochs': '5'},
            {
                'train': ('application/x-recordio-protobuf', write_dense(x[:2000], y[:2000])),
                'validation': ('application/x-recordio-protobuf', write_dense(x[2000:2500], y[2000:2500])),
                'test': ('application/x-recordio-protobuf', write_dense(x[2500:], y[2500:])),
            },
        )
        trained = job.run()
        accuracy = float(re.search(r'test binary_classification_accuracy <score>=(\S+)', job.out.getvalue()).group(1))
        self.assertGreater(accuracy, 0.9)
        loaded = model_io.load(job.env.model_dir)
        self.assertEqual(os.listdir(job.env.model_dir), ['model_algo-1'])
        scores, labels = loaded.predict(x[2500:])
        self.assertAlmostEqual(float(np.mean(labels == y[2500:])), accuracy, places=6)
        self.assertEqual(loaded.threshold, trained.threshold)
        self.assertTrue(np.all((scores >= 0) & (scores <= 1)))

    def test_regressor_csv_matches_least_squares(self):
        x, w, rng = blobs(4000, 5, 3)
        y = (x @ w + 7.0 + rng.normal(scale=2.0, size=len(x))).astype(np.float32)
        job = self.job(
            {'predictor_type': 'regressor', 'mini_batch_size': '200', 'epochs': '20'},
            {'train': ('text/csv', csv_bytes(x[:3000], y[:3000])), 'test': ('text/csv', csv_bytes(x[3000:], y[3000:]))},
        )
        job.run()
        rmse = float(re.search(r'test rmse <loss>=(\S+)', job.out.getvalue()).group(1))
        design = np.column_stack([x[:3000], np.ones(3000)]).astype(np.float64)
        coef, *_ = np.linalg.lstsq(design, y[:3000], rcond=None)
        best = float(np.sqrt(np.mean((np.column_stack([x[3000:], np.ones(1000)]) @ coef - y[3000:]) ** 2)))
        self.assertLess(rmse, best * 1.05)

    def test_multiclass_without_validation(self):
        rng = np.random.default_rng(4)
        centers = rng.normal(scale=5, size=(4, 3))
        y = rng.integers(0, 4, 2000).astype(np.float32)
        x = (centers[y.astype(int)] + rng.normal(size=(2000, 3))).astype(np.float32)
        job = self.job(
            {'predictor_type': 'multiclass_classifier', 'num_classes': '4', 'mini_batch_size': '100', 'epochs': '5', 'num_models': '4'},
            {'train': ('text/csv', csv_bytes(x, y))},
        )
        trained = job.run()
        text = job.out.getvalue()
        self.assertIn('Test data is not provided.', text)
        accuracy = float(re.search(r'train multiclass_accuracy <score>=(\S+)', text).group(1))
        self.assertGreater(accuracy, 0.9)
        scores, labels = trained.predict(x)
        self.assertEqual(scores.shape, (2000, 4))

    def test_early_stopping_stops_before_epochs(self):
        x, w, rng = blobs(500, 3, 5)
        y = (x @ w > np.median(x @ w)).astype(np.float32)
        job = self.job(
            {'predictor_type': 'binary_classifier', 'epochs': '200', 'early_stopping_patience': '2', 'mini_batch_size': '50'},
            {'train': ('text/csv', csv_bytes(x, y))},
        )
        job.run()
        epochs = [int(m) for m in re.findall(r'#quality_metric: host=algo-1, epoch=(\d+), train', job.out.getvalue())]
        self.assertLess(max(epochs), 199)
        self.assertIn('Reached early stopping criteria', job.out.getvalue())

    def test_sparse_protobuf_and_sdk_style_booleans(self):
        import scipy.sparse

        rng = np.random.default_rng(8)
        x = scipy.sparse.random(1500, 40, density=0.1, format='csr', random_state=8, dtype=np.float32)
        w = rng.normal(size=40)
        y = (x @ w > 0).astype(np.float32)
        job = self.job(
            # The SageMaker SDK sends Python booleans as 'True'/'False'.
            {'predictor_type': 'binary_classifier', 'feature_dim': '40', 'mini_batch_size': '50', 'normalize_data': 'True', 'use_bias': 'False'},
            {'train': ('application/x-recordio-protobuf', write_sparse(x[:1000], y[:1000])), 'test': ('application/x-recordio-protobuf', write_sparse(x[1000:], y[1000:]))},
        )
        trained = job.run()
        self.assertEqual(trained.bias.tolist(), [0.0])
        accuracy = float(re.search(r'test binary_classification_accuracy <score>=(\S+)', job.out.getvalue()).group(1))
        self.assertGreater(accuracy, 0.85)

    def test_only_the_master_host_writes_the_model(self):
        x, w, rng = blobs(100, 3, 9)
        job = self.job({'predictor_type': 'regressor'}, {'train': ('text/csv', csv_bytes(x, x @ w))})
        job.env.hosts = ['algo-1', 'algo-2']
        job.env.current_host = 'algo-2'
        self.assertIsNone(job.run())
        self.assertFalse(os.path.exists(os.path.join(job.env.model_dir, 'model_algo-1')))

    def test_diverging_models_stop_alone(self):
        x, w, rng = blobs(2000, 4, 10)
        y = (x @ w + rng.normal(size=2000)).astype(np.float32)
        job = self.job(
            # sgd without normalisation: the larger learning rates blow up, the small ones must not.
            {'predictor_type': 'regressor', 'optimizer': 'sgd', 'normalize_data': 'false', 'normalize_label': 'false', 'mini_batch_size': '100', 'epochs': '5'},
            {'train': ('text/csv', csv_bytes(x, y))},
        )
        trained = job.run()
        self.assertTrue(np.isfinite(trained.weights).all())
        self.assertIn('#train_score', job.out.getvalue())

    def test_bad_data_is_a_client_error(self):
        x, w, rng = blobs(50, 3, 6)
        y = (x @ w > 0).astype(np.float32)
        bad_x = x.copy()
        bad_x[7, 1] = np.nan
        cases = [
            ({'predictor_type': 'binary_classifier'}, {'train': ('text/csv', csv_bytes(bad_x, y))}, 'NaN or infinite values \\(first at record 7, feature 1\\)'),
            ({'predictor_type': 'binary_classifier', 'feature_dim': '4'}, {'train': ('text/csv', csv_bytes(x, y))}, 'the data has 3 features but feature_dim is 4'),
            ({'predictor_type': 'binary_classifier'}, {'train': ('text/csv', csv_bytes(x, y + 1))}, 'labels must be 0 or 1'),
            ({'predictor_type': 'binary_classifier'}, {'train': ('application/json', b'{}')}, 'not supported'),
            ({'predictor_type': 'binary_classifier'}, {'validation': ('text/csv', csv_bytes(x, y))}, "requires a 'train' channel"),
            ({'predictor_type': 'binary_classifier'}, {'train': ('text/csv', b'1,2,3\n0,1\n')}, 'line 2'),
        ]
        for hps, channels, message in cases:
            with self.subTest(message=message):
                with self.assertRaisesRegex(ClientError, message):
                    self.job(hps, channels).run()


class MetricDefinitionsTest(unittest.TestCase):
    def test_regexes_match_printed_lines(self):
        with open(METRICS, encoding='utf-8') as f:
            definitions = json.load(f)
        self.assertTrue(all(set(d) == {'Name', 'Regex'} for d in definitions))
        rng = np.random.default_rng(7)
        x = rng.normal(size=(400, 3)).astype(np.float32)
        seen = {}
        runs = [
            ({'predictor_type': 'binary_classifier', 'epochs': '2'}, (x[:, 0] > 0).astype(np.float32)),
            ({'predictor_type': 'regressor', 'epochs': '2'}, (x @ [1, 2, 3]).astype(np.float32)),
            ({'predictor_type': 'multiclass_classifier', 'num_classes': '3', 'epochs': '2'}, (np.digitize(x[:, 0], [-0.5, 0.5])).astype(np.float32)),
        ]
        for hps, y in runs:
            for with_validation in (True, False):
                channels = {'train': ('text/csv', csv_bytes(x, y)), 'test': ('text/csv', csv_bytes(x, y))}
                if with_validation:
                    channels['validation'] = ('text/csv', csv_bytes(x, y))
                job = Job(hps, channels)
                try:
                    job.run()
                    for line in job.lines():
                        stored = line.replace('\t', '#011')
                        for d in definitions:
                            match = re.search(d['Regex'], stored)
                            if match:
                                seen[d['Name']] = float(match.group(1))
                finally:
                    job.close()
        names = {d['Name'] for d in definitions}
        self.assertEqual(names - set(seen), set(), 'metric definitions no printed line matches')
        self.assertGreater(seen['test:binary_classification_accuracy'], 0.9)
        self.assertGreater(seen['train:throughput'], 0)
        self.assertEqual(seen['train:progress'], 100.0)


if __name__ == '__main__':
    unittest.main()
