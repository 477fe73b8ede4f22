"""XGBoost predictions → response bodies for the negotiated Accept type, including the keys
SAGEMAKER_INFERENCE_OUTPUT selects."""

import json
import math
import os

import numpy as np

from ..serving import HttpError
from .requests import CSV, JSON, JSONLINES, RECORDIO

ACCEPTS = [CSV, JSON, JSONLINES, RECORDIO]
SELECTABLE = {'predicted_label', 'labels', 'probability', 'probabilities', 'raw_score', 'raw_scores', 'predicted_score'}

def _selected(model, preds, keys):
    objective = model.objective
    out = []
    labels = [0, 1] if objective.startswith('binary:') else (list(range(model.num_class)) if objective.startswith('multi:') and model.num_class else None)
    for p in preds:
        row = {}
        vector = isinstance(p, np.ndarray) and p.ndim == 1
        for key in keys:
            value = None
            if key == 'predicted_label':
                if objective in ('binary:hinge', 'multi:softmax'):
                    value = int(p)
                elif objective == 'binary:logistic':
                    value = int(p > 0.5)
                elif objective == 'binary:logitraw':
                    value = int(p > 0)
                elif objective == 'multi:softprob':
                    value = int(np.argmax(p))
            elif key == 'labels':
                value = labels
            elif key == 'probability':
                if objective == 'multi:softprob':
                    value = float(np.max(p))
                elif objective == 'binary:logistic':
                    value = float(p)
            elif key == 'probabilities':
                if objective == 'multi:softprob':
                    value = [float(v) for v in p]
                elif objective == 'binary:logistic':
                    value = [1.0 - float(p), float(p)]
            elif key == 'raw_score':
                value = float(np.max(p)) if vector else float(p)
            elif key == 'raw_scores':
                value = [float(v) for v in p] if vector else ([1.0 - float(p), float(p)] if objective == 'binary:logistic' else None)
            elif key == 'predicted_score':
                value = None if vector else float(p)
            row[key] = value if value is not None else math.nan
        out.append(row)
    return out


def _json_safe(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def encode(model, preds, accept):
    """Predictions → (body, content type) for the negotiated Accept."""
    batch = bool(os.environ.get('SAGEMAKER_BATCH'))
    selection = os.environ.get('SAGEMAKER_INFERENCE_OUTPUT')
    if selection:
        keys = [k for k in selection.replace(' ', '').lower().split(',') if k]
        unknown = [k for k in keys if k not in SELECTABLE]
        if unknown:
            raise HttpError(400, f'Unable to evaluate payload provided: SAGEMAKER_INFERENCE_OUTPUT names unknown keys {unknown}; choose from {sorted(SELECTABLE)}')
        rows = _selected(model, preds, keys)
        if accept == CSV:
            lines = [','.join(f'"{json.dumps(_json_safe(r[k]))}"' if isinstance(r[k], list) else str(r[k]) for k in keys) for r in rows]
            return ('\n'.join(lines) + ('\n' if batch else '')).encode(), CSV
        if accept == JSON:
            return json.dumps({'predictions': [{k: _json_safe(v) for k, v in r.items()} for r in rows]}).encode(), JSON
        if accept == JSONLINES:
            return ''.join(json.dumps({k: _json_safe(v) for k, v in r.items()}) + '\n' for r in rows).encode(), JSONLINES
        from ..formats.record_pb import write_label_records  # noqa: PLC0415

        columns = {}
        for k in keys:
            columns[k] = np.asarray([r[k] if isinstance(r[k], list) else [r[k]] for r in rows], dtype=np.float32)
        return write_label_records(columns), RECORDIO
    values = preds.tolist()
    if accept == CSV:
        if preds.ndim == 2:
            text = '\n'.join(','.join(str(v) for v in row) for row in values) + ('\n' if batch else '')
        elif batch:
            text = '\n'.join(str(v) for v in values) + '\n'
        else:
            text = ','.join(str(v) for v in values)
        return text.encode(), CSV
    if accept == JSON:
        return json.dumps({'predictions': [{'score': v} for v in values]}).encode(), JSON
    if accept == JSONLINES:
        return ''.join(json.dumps({'score': v}) + '\n' for v in values).encode(), JSONLINES
    from ..formats.record_pb import write_label_records  # noqa: PLC0415

    return write_label_records({'score': preds.reshape(len(preds), -1)}), RECORDIO
