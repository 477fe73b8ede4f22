"""Declarative hyperparameter specs for the built-in algorithms, and their validation.

API::

    from salvia_algorithms.hyperparameters import (
        AUTO, Integer, Continuous, Categorical, Boolean, FreeText, CategoricalList, parse, invalid)

    SPEC = [
        Integer('k', min=2, required=True),
        Integer('feature_dim', min=1, required=True),
        Integer('mini_batch_size', min=1, default=5000),
        Categorical('init_method', ['random', 'kmeans++'], default='random'),
        Integer('extra_center_factor', min=1, default=AUTO, auto=True),
        Continuous('local_lloyd_tol', min=0.0, max=1.0, default=0.0001),
        CategoricalList('eval_metrics', ['msd', 'ssd'], default=['msd']),
    ]
    hp = parse(SPEC, env.hyperparameters)   # -> dict name -> typed value
    if hp['extra_center_factor'] == AUTO: ...

``parse(specs, raw)`` takes the strings of hyperparameters.json and returns a dict with EVERY
spec'd name: the parsed value (int, float, str, bool, list), the default when absent (may be
``None``), or the string ``AUTO`` (``'auto'``) when the spec has ``auto=True`` and the value is
``auto`` (any case). It raises ``contract.ClientError`` (the job then fails with
``ClientError: …``) for: a missing required name, a value that does not parse, a value outside
``[min, max]`` (``min_open``/``max_open`` make a bound exclusive), a choice not in the list, and
an unknown name (``sagemaker_*`` and ``_*`` keys are ignored, as the SDK adds them).
Messages follow SageMaker's built-ins (jsonschema-style, naming the hyperparameter, the value and
what is allowed), e.g.::

    Unable to initialize the algorithm. Failed to validate hyperparameters. (caused by
    ValidationError) Caused by: Hyperparameter 'k': value 0 is less than the minimum of 2

``invalid(message)`` builds a ClientError with the same prefix, for cross-field checks an
algorithm does itself (``raise invalid("'num_class' is required when objective is multi:softmax")``).
"""

import ast
import json
import math

from .contract import ClientError

AUTO = 'auto'

_PREFIX = 'Unable to initialize the algorithm. Failed to validate hyperparameters. (caused by ValidationError) Caused by: '


def invalid(message):
    """A ClientError in the shape SageMaker's built-ins use for invalid hyperparameters."""
    return ClientError(_PREFIX + message)


class Hyperparameter:
    """Base spec: a name, a default (``None`` = absent), whether it is required and whether
    ``auto`` is accepted."""

    kind = 'value'

    def __init__(self, name, default=None, required=False, auto=False):
        self.name = name
        self.default = default
        self.required = required
        self.auto = auto

    def convert(self, text):
        """Parses one raw string (already stripped, not ``auto``); raises ``ValueError(message)``."""
        return text

    def describe(self):
        """What values are allowed, for error messages."""
        return f'a {self.kind}'

    def _fail(self, text, reason=None):
        return ValueError(f"Hyperparameter '{self.name}': value {text!r} {reason or 'is not ' + self.describe()}")


class _Number(Hyperparameter):
    def __init__(self, name, min=None, max=None, default=None, required=False, auto=False, min_open=False, max_open=False):  # noqa: A002
        super().__init__(name, default, required, auto)
        self.min, self.max, self.min_open, self.max_open = min, max, min_open, max_open

    def _check_range(self, value, text):
        if self.min is not None and (value <= self.min if self.min_open else value < self.min):
            word = 'less than or equal to' if self.min_open else 'less than'
            raise ValueError(f"Hyperparameter '{self.name}': value {text} is {word} the minimum of {self.min}")
        if self.max is not None and (value >= self.max if self.max_open else value > self.max):
            word = 'greater than or equal to' if self.max_open else 'greater than'
            raise ValueError(f"Hyperparameter '{self.name}': value {text} is {word} the maximum of {self.max}")
        return value

    def describe(self):
        low = '-inf' if self.min is None else str(self.min)
        high = 'inf' if self.max is None else str(self.max)
        bounds = f"{'(' if self.min_open or self.min is None else '['}{low}, {high}{')' if self.max_open or self.max is None else ']'}"
        extra = " or 'auto'" if self.auto else ''
        return f'{self.kind_article} {self.kind} in {bounds}{extra}'


class Integer(_Number):
    """An integer (``"10"``; ``"10.0"`` is accepted as 10, as tuning jobs may send it)."""

    kind = 'integer'
    kind_article = 'an'

    def convert(self, text):
        try:
            value = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise self._fail(text) from None
            if not math.isfinite(number) or number != int(number):
                raise self._fail(text) from None
            value = int(number)
        return self._check_range(value, text)


class Continuous(_Number):
    """A finite real number."""

    kind = 'float'
    kind_article = 'a'

    def convert(self, text):
        try:
            value = float(text)
        except ValueError:
            raise self._fail(text) from None
        if not math.isfinite(value):
            raise self._fail(text)
        return self._check_range(value, text)


class Categorical(Hyperparameter):
    """One of a list of strings (compared case-sensitively, as SageMaker does)."""

    kind = 'choice'

    def __init__(self, name, choices, default=None, required=False, auto=False):
        super().__init__(name, default, required, auto)
        self.choices = list(choices)

    def convert(self, text):
        if text not in self.choices:
            raise self._fail(text)
        return text

    def describe(self):
        options = ', '.join(repr(c) for c in self.choices + ([AUTO] if self.auto else []))
        return f'one of [{options}]'


class Boolean(Hyperparameter):
    """``true``/``false`` (any case) or ``1``/``0``."""

    kind = 'boolean'

    def convert(self, text):
        lowered = text.lower()
        if lowered in ('true', '1'):
            return True
        if lowered in ('false', '0'):
            return False
        raise self._fail(text)

    def describe(self):
        return "one of ['true', 'false']"


class FreeText(Hyperparameter):
    """Any string."""

    kind = 'string'


class CategoricalList(Hyperparameter):
    """A list of choices: JSON (``["msd","ssd"]``), a Python literal (``['msd', 'ssd']``, what
    the SDK's str() of a list gives), or comma separated (``msd,ssd``) / one bare value."""

    kind = 'list'

    def __init__(self, name, choices, default=None, required=False, auto=False):
        super().__init__(name, default, required, auto)
        self.choices = list(choices)

    def convert(self, text):
        items = None
        for loader in (json.loads, ast.literal_eval):
            try:
                items = loader(text)
                break
            except (ValueError, SyntaxError):
                continue
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, (list, tuple)):
            items = [part.strip().strip('"\'') for part in text.strip('[]').split(',') if part.strip()]
        if not items:
            raise self._fail(text, 'is an empty list')
        for item in items:
            if not isinstance(item, str) or item not in self.choices:
                raise self._fail(text, f'contains {item!r}, which is not {self.describe_item()}')
        return list(items)

    def describe_item(self):
        return f"one of [{', '.join(repr(c) for c in self.choices)}]"

    def describe(self):
        return f'a list of values from [{", ".join(repr(c) for c in self.choices)}]'


def _ignored(name):
    return name.startswith('sagemaker_') or name.startswith('_')


def parse(specs, raw, allow_unknown=False):
    """Validates ``raw`` (name → string, from hyperparameters.json) against ``specs`` and returns
    name → typed value for every spec (defaults filled in). Raises ClientError naming the first
    problem: unknown names first (unless ``allow_unknown``), then each spec in order."""
    raw = {str(k): ('' if v is None else str(v)) for k, v in (raw or {}).items()}
    by_name = {spec.name: spec for spec in specs}
    if not allow_unknown:
        unknown = sorted(name for name in raw if name not in by_name and not _ignored(name))
        if unknown:
            listed = ', '.join(repr(n) for n in unknown)
            raise invalid(f'Additional hyperparameters are not allowed ({listed} {"was" if len(unknown) == 1 else "were"} unexpected)')
    values = {}
    for spec in specs:
        if spec.name not in raw:
            if spec.required:
                raise invalid(f"'{spec.name}' is a required hyperparameter (expected {spec.describe()})")
            values[spec.name] = spec.default
            continue
        text = raw[spec.name].strip()
        if spec.auto and text.lower() == AUTO:
            values[spec.name] = AUTO
            continue
        if text == '':
            raise invalid(f"Hyperparameter '{spec.name}': empty value is not {spec.describe()}")
        try:
            values[spec.name] = spec.convert(text)
        except ValueError as error:
            raise invalid(str(error)) from None
    return values
