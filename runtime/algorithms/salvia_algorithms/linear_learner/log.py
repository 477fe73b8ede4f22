"""The training log in Linear Learner's shapes: ``[11/24/2020 18:54:29 INFO 140513285547840]
#quality_metric: host=algo-1, test binary_classification_accuracy <score>=0.99`` and
``#test_score (algo-1) : ('binary_classification_accuracy', 0.99)``, which SageMaker's
predefined metric regexes (metrics.json) parse."""

import json
import sys
import threading
import time


class Log:
    """Writes lines to stdout (flushed) with the algorithm's prefix; ``host`` goes into the
    metric lines."""

    def __init__(self, host='algo-1', stream=None):
        self.host = host
        self.stream = stream or sys.stdout

    def info(self, message, level='INFO'):
        stamp = time.strftime('%m/%d/%Y %H:%M:%S', time.gmtime())
        self.stream.write(f'[{stamp} {level} {threading.get_ident()}] {message}\n')
        self.stream.flush()

    def warning(self, message):
        self.info(message, 'WARNING')

    def epoch_metric(self, epoch, channel, name, value):
        self.info(f'#quality_metric: host={self.host}, epoch={epoch}, {channel} {name} <loss>={value!r}')

    def scores(self, channel, scores):
        """The final block for one channel: ``#<channel>_score`` tuples, then ``#quality_metric``
        lines (``<loss>`` or ``<score>`` by kind)."""
        for name, value, _ in scores:
            self.info(f'#{channel}_score ({self.host}) : ({name!r}, {float(value)!r})')
        for name, value, kind in scores:
            self.info(f'#quality_metric: host={self.host}, {channel} {name} <{kind}>={float(value)!r}')

    def metrics(self, values, dimensions, start, end):
        """A ``#metrics {…}`` line as SageMaker's algorithms print (CloudWatch-style)."""
        body = {
            'StartTime': start,
            'EndTime': end,
            'Dimensions': {'Algorithm': 'Linear Learner', 'Host': self.host, 'Operation': 'training', **dimensions},
            'Metrics': {k: {'sum': v, 'count': 1, 'min': v, 'max': v} for k, v in values.items()},
        }
        self.stream.write('#metrics ' + json.dumps(body) + '\n')
        self.stream.flush()
