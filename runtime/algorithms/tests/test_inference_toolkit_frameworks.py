"""The toolkit's framework defaults (scikit-learn, XGBoost, PyTorch) and multi-model mode, through
the real model server. Skips a framework whose library the interpreter lacks."""

import importlib.util
import json
import os
import pickle
import unittest

import numpy as np

from salvia_algorithms.inference_toolkit import ToolkitHandler
from salvia_algorithms.inference_toolkit.errors import ModelLoadError
from test_inference_toolkit import EnvCase, write

HAS = {name: importlib.util.find_spec(name) is not None for name in ('sklearn', 'joblib', 'xgboost', 'torch')}
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 5)
Y = np.array([0, 1, 1, 1] * 5)


@unittest.skipUnless(HAS['sklearn'] and HAS['joblib'], 'scikit-learn and joblib are not installed')
class SKLearnTest(EnvCase):
    def fit(self, file_name='model.joblib'):
        import joblib
        from sklearn.tree import DecisionTreeClassifier

        joblib.dump(DecisionTreeClassifier(random_state=0).fit(X, Y), os.path.join(self.model_dir, file_name))

    def test_default_model_fn_loads_model_joblib_and_predicts_csv_and_json(self):
        self.fit()
        self.serve('sklearn')
        status, kind, body = self.invoke(b'0,0\n1,1\n', 'text/csv')
        self.assertEqual((status, kind, json.loads(body)), (200, 'application/json', [0, 1]))
        self.assertEqual(json.loads(self.invoke(b'[[0, 1]]', 'application/json')[2]), [1])
        self.assertEqual(self.invoke(b'1,0', 'text/csv', 'text/csv')[2], b'1\n')  # one CSV row is one sample

    def test_model_pkl_and_a_user_predict_fn(self):
        self.fit('model.pkl')
        write(os.path.join(self.model_dir, 'code', 'inference.py'), '''
            def predict_fn(data, model):
                return model.predict_proba(data)[:, 1]
        ''')
        self.serve('sklearn')
        self.assertEqual(json.loads(self.invoke(b'[[0, 0], [1, 1]]', 'application/json')[2]), [0.0, 1.0])

    def test_no_model_file_names_what_it_looked_for(self):
        write(os.path.join(self.model_dir, 'notes.txt'), 'hi')
        with self.assertRaisesRegex(ModelLoadError, r'Please provide a model_fn implementation: .*model.joblib or model.pkl.*notes.txt'):
            ToolkitHandler('sklearn').load(self.model_dir)


@unittest.skipUnless(HAS['xgboost'], 'xgboost is not installed')
class XGBoostTest(EnvCase):
    def booster(self):
        import xgboost

        return xgboost.train({'objective': 'binary:logistic', 'max_depth': 2, 'eta': 1}, xgboost.DMatrix(X, label=Y), num_boost_round=5)

    def test_xgboost_model_is_served_as_the_builtin_container_does(self):
        self.booster().save_model(os.path.join(self.model_dir, 'xgboost-model'))
        self.serve('xgboost')
        status, kind, body = self.invoke(b'0,0\n1,1', 'text/csv')
        self.assertEqual((status, kind), (200, 'text/csv'))
        low, high = (float(v) for v in body.decode().split(','))
        self.assertLess(low, 0.5)
        self.assertGreater(high, 0.5)

    def test_json_model_file_with_a_user_output_fn(self):
        self.booster().save_model(os.path.join(self.model_dir, 'model.json'))
        write(os.path.join(self.model_dir, 'code', 'inference.py'), '''
            def output_fn(prediction, accept):
                return ','.join('yes' if p > 0.5 else 'no' for p in prediction), 'text/plain'
        ''')
        self.serve('xgboost')
        self.assertEqual(self.invoke(b'0,0\n0,1', 'text/csv')[::2], (200, b'no,yes'))

    def test_pickled_sklearn_api_model(self):
        import xgboost

        with open(os.path.join(self.model_dir, 'model.pkl'), 'wb') as f:
            pickle.dump(xgboost.XGBClassifier(n_estimators=5, max_depth=2).fit(X, Y), f)
        self.serve('xgboost')
        status, kind, body = self.invoke(b'[[1, 1]]', 'application/json', 'application/json')
        self.assertEqual((status, kind), (200, 'application/json'))
        self.assertGreater(json.loads(body)[0], 0.5)


@unittest.skipUnless(HAS['torch'], 'torch is not installed')
class PyTorchTest(EnvCase):
    def test_torchscript_model_pt(self):
        import torch

        torch.jit.save(torch.jit.script(torch.nn.Linear(2, 1, bias=False).eval()), os.path.join(self.model_dir, 'model.pt'))
        with torch.no_grad():
            model = torch.jit.load(os.path.join(self.model_dir, 'model.pt'))
            model.weight.copy_(torch.tensor([[2.0, 3.0]]))
            torch.jit.save(model, os.path.join(self.model_dir, 'model.pt'))
        self.serve('pytorch')
        status, kind, body = self.invoke(b'[[1, 1], [2, 0]]', 'application/json')
        self.assertEqual((status, kind, json.loads(body)), (200, 'application/json', [[5.0], [4.0]]))

    def test_state_dict_needs_model_fn(self):
        import torch

        torch.save(torch.nn.Linear(2, 1).state_dict(), os.path.join(self.model_dir, 'model.pth'))
        with self.assertRaisesRegex(ModelLoadError, 'needs a model_fn in inference.py'):
            ToolkitHandler('pytorch').load(self.model_dir)


class MultiModelTest(EnvCase):
    """SAGEMAKER_MULTI_MODEL: each model directory brings its own code/inference.py."""

    def model(self, name, factor):
        directory = os.path.join(self.tmp.name, 'models', name, 'model')
        write(os.path.join(directory, 'factor.txt'), str(factor))
        write(os.path.join(directory, 'code', 'inference.py'), f'''
            import os
            def model_fn(model_dir):
                with open(os.path.join(model_dir, 'factor.txt')) as f:
                    return int(f.read())
            def transform_fn(model, data, content_type, accept):
                return str({factor} * int(data) * model // {factor}) + ' from {name}', 'text/plain'
        ''')
        return directory

    def test_each_model_uses_its_own_script(self):
        self.serve(multi_model=True)
        for name, factor in (('a', 2), ('b', 10)):
            status, _, _ = self.request('POST', '/models', json.dumps({'model_name': name, 'url': self.model(name, factor)}))
            self.assertEqual(status, 200)
        self.assertEqual(self.request('POST', '/models/a/invoke', b'3', {'Content-Type': 'text/csv'})[::2], (200, b'6 from a'))
        self.assertEqual(self.request('POST', '/models/b/invoke', b'3', {'Content-Type': 'text/csv'})[::2], (200, b'30 from b'))
        self.assertEqual(self.request('DELETE', '/models/a')[0], 200)
        self.assertEqual(self.request('POST', '/models/a/invoke', b'3', {'Content-Type': 'text/csv'})[0], 404)
        self.assertEqual(self.request('POST', '/models/b/invoke', b'4', {'Content-Type': 'text/csv'})[::2], (200, b'40 from b'))

    def test_a_broken_model_fails_its_load_only(self):
        self.serve(multi_model=True)
        broken = os.path.join(self.tmp.name, 'models', 'bad', 'model')
        write(os.path.join(broken, 'code', 'inference.py'), 'raise RuntimeError("cannot start")\n')
        status, _, body = self.request('POST', '/models', json.dumps({'model_name': 'bad', 'url': broken}))
        self.assertEqual(status, 500)
        self.assertIn('cannot start', json.loads(body)['message'])
        self.request('POST', '/models', json.dumps({'model_name': 'good', 'url': self.model('good', 3)}))
        self.assertEqual(self.request('POST', '/models/good/invoke', b'1', {'Content-Type': 'text/csv'})[::2], (200, b'3 from good'))


if __name__ == '__main__':
    unittest.main()
