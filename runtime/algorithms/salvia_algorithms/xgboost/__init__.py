"""SageMaker's XGBoost algorithm mode (the sagemaker-xgboost-container, version 1.7-1) on the real
xgboost library: ``python3 -m salvia_algorithms.xgboost train|serve``.

train: channels ``train`` (required) and ``validation`` (optional) in text/libsvm (default),
text/csv (label first, no header; ``csv_weights=1`` → column 2 is the instance weight),
application/x-recordio-protobuf (and application/x-parquet only where pandas can read Parquet);
hyperparameters validated as the container does (hyperparameters.py); one line per round
``[i]\\ttrain-<m>:<v>\\tvalidation-<m>:<v>`` (metrics.json holds the predefined metric regexes);
checkpoints ``xgboost-checkpoint.<round>`` in the checkpoint dir, resumed from on restart; the
model is ``/opt/ml/model/xgboost-model`` (Booster.save_model, xgboost's binary format).

serve: the shared model server (salvia_algorithms.serving) with inference.XGBoostHandler.
"""
