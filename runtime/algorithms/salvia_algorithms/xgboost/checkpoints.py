"""``xgboost-checkpoint.<round>`` files in the checkpoint directory, as the SageMaker XGBoost
container writes them: one Booster (xgboost binary format) per finished round, the newest few
kept; a restarted job resumes from the newest."""

import os
import re

PREFIX = 'xgboost-checkpoint.'
_PATTERN = re.compile(r'^xgboost-checkpoint\.(\d+)$')


def latest(directory):
    """(path, round) of the newest checkpoint in ``directory``, or (None, -1)."""
    if not directory or not os.path.isdir(directory):
        return None, -1
    rounds = [int(m.group(1)) for m in (_PATTERN.match(n) for n in os.listdir(directory)) if m]
    if not rounds:
        return None, -1
    best = max(rounds)
    return os.path.join(directory, f'{PREFIX}{best}'), best


def saver(directory, keep=5, start=0):
    """An xgboost TrainingCallback that saves the model after every round (numbered from
    ``start``: xgboost counts a resumed run's rounds from 0) and removes older files
    beyond ``keep``. Writes to a temporary name and renames, so a kill never leaves a torn file."""
    import xgboost  # noqa: PLC0415

    class SaveCheckpoint(xgboost.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):  # noqa: ARG002 - xgboost's signature
            epoch += start
            os.makedirs(directory, exist_ok=True)
            target = os.path.join(directory, f'{PREFIX}{epoch}')
            temporary = os.path.join(directory, f'.{PREFIX}{epoch}.tmp')
            model.save_model(temporary)
            os.replace(temporary, target)
            stale = os.path.join(directory, f'{PREFIX}{epoch - keep}')
            if epoch - keep >= 0 and os.path.exists(stale):
                os.remove(stale)
            return False

    return SaveCheckpoint()
