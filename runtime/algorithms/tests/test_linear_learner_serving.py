"""Linear Learner inference over real HTTP: the shared model server (a thread, port 0) with the
Linear Learner handler and hand-made models of each predictor type."""

import http.client
import json
import tempfile
import threading
import unittest

import numpy as np

from salvia_algorithms.formats import decode_record, iter_records, write_dense
from salvia_algorithms.linear_learner import model as model_io
from salvia_algorithms.linear_learner.handler import LinearLearnerHandler
from salvia_algorithms.serving import make_server

MODELS = {
    # score = sigmoid(x0 - x1), threshold 0.5
    'binary': model_io.LinearModel('binary_classifier', np.array([[1.0], [-1.0]]), np.array([0.0]), 'logistic', threshold=0.5),
    # class = argmax of (x0, x1, 0)
    'multiclass': model_io.LinearModel(
        'multiclass_classifier', np.array([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0]]), np.zeros(3), 'softmax_loss', num_classes=3
    ),
    # score = 2 x0 + 3 x1 + 1
    'regressor': model_io.LinearModel('regressor', np.array([[2.0], [3.0]]), np.array([1.0]), 'squared_loss'),
}


class Served(unittest.TestCase):
    def serve(self, kind):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        model_io.save(MODELS[kind], tmp.name)
        server = make_server(LinearLearnerHandler(), port=0, host='127.0.0.1', model_dir=tmp.name, multi_model=False)
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        conn = http.client.HTTPConnection('127.0.0.1', server.server_address[1], timeout=10)
        self.addCleanup(conn.close)

        def invoke(body, content_type, accept=None):
            headers = {'Content-Type': content_type}
            if accept:
                headers['Accept'] = accept
            conn.request('POST', '/invocations', body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.getheader('Content-Type'), response.read()

        return invoke

    def test_binary_json_from_csv_json_jsonlines_and_protobuf(self):
        invoke = self.serve('binary')
        expected = [{'score': 0.5, 'predicted_label': 1}, {'score': float(str(np.float32(1 / (1 + np.exp(-2))))), 'predicted_label': 1}, {'score': float(str(np.float32(1 / (1 + np.exp(2))))), 'predicted_label': 0}]
        rows = [[1, 1], [3, 1], [0, 2]]
        bodies = [
            ('text/csv', '\n'.join(','.join(map(str, r)) for r in rows).encode()),
            ('application/json', json.dumps({'instances': [{'features': r} for r in rows]}).encode()),
            ('application/jsonlines', '\n'.join(json.dumps({'features': r}) for r in rows).encode()),
            ('application/x-recordio-protobuf', write_dense(np.array(rows, dtype=np.float32))),
        ]
        for content_type, body in bodies:
            with self.subTest(content_type=content_type):
                status, kind, answer = invoke(body, content_type, 'application/json')
                self.assertEqual((status, kind), (200, 'application/json'), answer)
                self.assertEqual(json.loads(answer), {'predictions': expected})

    def test_multiclass_and_regressor_shapes(self):
        status, _, answer = self.serve('multiclass')(b'1,0\n0,1\n-1,-1', 'text/csv')
        self.assertEqual(status, 200)
        predictions = json.loads(answer)['predictions']
        self.assertEqual([p['predicted_label'] for p in predictions], [0, 1, 2])
        self.assertEqual(len(predictions[0]['score']), 3)
        self.assertAlmostEqual(sum(predictions[0]['score']), 1.0, places=5)
        status, _, answer = self.serve('regressor')(b'1,1\n0,2', 'text/csv')
        self.assertEqual(json.loads(answer), {'predictions': [{'score': 6.0}, {'score': 7.0}]})

    def test_jsonlines_and_protobuf_responses(self):
        invoke = self.serve('binary')
        status, kind, answer = invoke(b'3,1\n0,2', 'text/csv', 'application/jsonlines')
        self.assertEqual((status, kind), (200, 'application/jsonlines'))
        self.assertEqual([json.loads(line)['predicted_label'] for line in answer.decode().splitlines()], [1, 0])
        status, kind, answer = invoke(b'3,1\n0,2', 'text/csv', 'application/x-recordio-protobuf')
        self.assertEqual((status, kind), (200, 'application/x-recordio-protobuf'))
        records = [decode_record(payload) for payload in iter_records(answer)]
        self.assertEqual([float(r.label['predicted_label'].values[0]) for r in records], [1.0, 0.0])
        self.assertAlmostEqual(float(records[0].label['score'].values[0]), 1 / (1 + np.exp(-2)), places=6)

    def test_client_errors(self):
        invoke = self.serve('binary')
        status, _, answer = invoke(b'1,2,3', 'text/csv')
        self.assertEqual(status, 400)
        self.assertIn(b'Unable to evaluate payload provided', answer)
        self.assertIn(b'feature_dim=2', answer)
        self.assertEqual(invoke(b'1,2', 'image/png')[0], 415)
        self.assertEqual(invoke(b'1,2', 'text/csv', 'text/html')[0], 406)
        self.assertEqual(invoke(b'{"instances": [', 'application/json')[0], 400)
        self.assertEqual(invoke(b'1,nan', 'text/csv')[0], 400)
        self.assertEqual(invoke(b'', 'text/csv')[0], 204)


if __name__ == '__main__':
    unittest.main()
