"""The training log in the shapes SageMaker's built-in algorithms (K-Means, Linear Learner)
print: ``[11/24/2020 18:54:29 INFO 140513285547840] message``, the final scores
``#test_score (algo-1) : ('msd', 1.25)`` then ``#quality_metric: host=algo-1, test msd
<loss>=1.25`` (what the predefined metric regexes in each algorithm's metrics.json parse), and
``#metrics {…}`` CloudWatch-style lines."""

import json
import sys
import threading
import time


class AlgorithmLog:
    """Writes lines to ``stream`` (default stdout, flushed after each). ``algorithm`` is the
    ``Algorithm`` dimension of ``#metrics`` lines (``'AWS/KMeansWebscale'``, ``'Linear
    Learner'``); ``host`` goes into the metric lines."""

    def __init__(self, algorithm, host='algo-1', stream=None):
        self.algorithm = algorithm
        self.host = host
        self.stream = stream or sys.stdout

    def info(self, message, level='INFO'):
        stamp = time.strftime('%m/%d/%Y %H:%M:%S', time.gmtime())
        self.stream.write(f'[{stamp} {level} {threading.get_ident()}] {message}\n')
        self.stream.flush()

    def warning(self, message):
        self.info(message, 'WARNING')

    def epoch_metric(self, epoch, channel, name, value):
        """``#quality_metric: host=…, epoch=<epoch>, <channel> <name> <loss>=<value>``."""
        self.info(f'#quality_metric: host={self.host}, epoch={epoch}, {channel} {name} <loss>={value!r}')

    def scores(self, channel, scores):
        """The final block for one channel from (name, value, kind) triples: ``#<channel>_score``
        tuples, then ``#quality_metric`` lines (``<loss>`` or ``<score>`` by kind)."""
        for name, value, _ in scores:
            self.info(f'#{channel}_score ({self.host}) : ({name!r}, {float(value)!r})')
        for name, value, kind in scores:
            self.info(f'#quality_metric: host={self.host}, {channel} {name} <{kind}>={float(value)!r}')

    def metrics(self, values, start, end, operation='training'):
        """A ``#metrics {…}`` line: each value as a one-sample statistic."""
        body = {
            'StartTime': start,
            'EndTime': end,
            'Dimensions': {'Algorithm': self.algorithm, 'Host': self.host, 'Operation': operation},
            'Metrics': {k: {'sum': v, 'count': 1, 'min': v, 'max': v} for k, v in values.items()},
        }
        self.stream.write('#metrics ' + json.dumps(body) + '\n')
        self.stream.flush()
