"""Unit tests of salvia_algorithms.hyperparameters."""

import unittest

from salvia_algorithms.contract import ClientError
from salvia_algorithms.hyperparameters import (
    AUTO, Boolean, Categorical, CategoricalList, Continuous, FreeText, Integer, invalid, parse)

SPEC = [
    Integer('k', min=2, required=True),
    Integer('epochs', min=1, max=100, default=1),
    Continuous('tol', min=0.0, max=1.0, default=0.0001, min_open=True),
    Categorical('init_method', ['random', 'kmeans++'], default='random'),
    Integer('extra_center_factor', min=1, default=AUTO, auto=True),
    Boolean('use_bias', default=True),
    FreeText('note'),
    CategoricalList('eval_metrics', ['msd', 'ssd'], default=['msd']),
]


class ParseTest(unittest.TestCase):
    def assertClientError(self, raw, *fragments):
        with self.assertRaises(ClientError) as caught:
            parse(SPEC, raw)
        message = str(caught.exception)
        self.assertTrue(message.startswith('Unable to initialize the algorithm. Failed to validate hyperparameters.'), message)
        for fragment in fragments:
            self.assertIn(fragment, message)

    def test_defaults_and_types(self):
        hp = parse(SPEC, {'k': '10'})
        self.assertEqual(hp, {'k': 10, 'epochs': 1, 'tol': 0.0001, 'init_method': 'random', 'extra_center_factor': AUTO,
                              'use_bias': True, 'note': None, 'eval_metrics': ['msd']})

    def test_values_parse(self):
        hp = parse(SPEC, {'k': '3.0', 'epochs': '5', 'tol': '0.5', 'init_method': 'kmeans++', 'extra_center_factor': '4',
                          'use_bias': 'False', 'note': 'x y', 'eval_metrics': "['msd', 'ssd']"})
        self.assertEqual((hp['k'], hp['epochs'], hp['tol'], hp['init_method'], hp['extra_center_factor'], hp['use_bias'], hp['note']),
                         (3, 5, 0.5, 'kmeans++', 4, False, 'x y'))
        self.assertEqual(hp['eval_metrics'], ['msd', 'ssd'])
        self.assertEqual(parse(SPEC, {'k': '2', 'eval_metrics': '["ssd"]'})['eval_metrics'], ['ssd'])
        self.assertEqual(parse(SPEC, {'k': '2', 'eval_metrics': 'msd,ssd'})['eval_metrics'], ['msd', 'ssd'])
        self.assertEqual(parse(SPEC, {'k': '2', 'eval_metrics': 'ssd'})['eval_metrics'], ['ssd'])
        self.assertEqual(parse(SPEC, {'k': '2', 'extra_center_factor': 'AUTO'})['extra_center_factor'], AUTO)

    def test_sagemaker_keys_ignored(self):
        self.assertEqual(parse(SPEC, {'k': '2', 'sagemaker_program': 'x', '_tuning_objective_metric': 'test:msd'})['k'], 2)

    def test_errors(self):
        self.assertClientError({}, "'k' is a required hyperparameter")
        self.assertClientError({'k': 'ten'}, "'k'", "'ten'", 'integer')
        self.assertClientError({'k': '2.5'}, "'k'", "'2.5'")
        self.assertClientError({'k': '1'}, "'k'", 'less than the minimum of 2')
        self.assertClientError({'k': '2', 'epochs': '101'}, "'epochs'", 'greater than the maximum of 100')
        self.assertClientError({'k': '2', 'tol': '0'}, "'tol'", 'less than or equal to the minimum of 0.0')
        self.assertClientError({'k': '2', 'tol': 'nan'}, "'tol'")
        self.assertClientError({'k': '2', 'init_method': 'kmeans||'}, "'init_method'", "'random', 'kmeans++'")
        self.assertClientError({'k': '2', 'use_bias': 'yes'}, "'use_bias'")
        self.assertClientError({'k': '2', 'epochs': 'auto'}, "'epochs'")
        self.assertClientError({'k': '2', 'eval_metrics': '["msd","rmse"]'}, "'eval_metrics'", "'rmse'")
        self.assertClientError({'k': '2', 'epochs': ''}, "'epochs'", 'empty')
        self.assertClientError({'k': '2', 'kk': '3'}, 'Additional hyperparameters are not allowed', "'kk' was unexpected")

    def test_allow_unknown_and_invalid_helper(self):
        self.assertEqual(parse(SPEC, {'k': '2', 'other': '1'}, allow_unknown=True)['k'], 2)
        self.assertIn('Caused by: boom', str(invalid('boom')))


if __name__ == '__main__':
    unittest.main()
