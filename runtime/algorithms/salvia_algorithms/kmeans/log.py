"""Log lines in SageMaker K-Means' shapes: ``[11/25/2026 10:00:00 INFO 1403] message``, the
scores ``#test_score (algo-1) : ('msd', 1.25)`` and ``#quality_metric: host=algo-1, test msd
<loss>=1.25`` (what the predefined metric regexes in metrics.json parse)."""

import json
import sys
import threading
import time


class Log:
    def __init__(self, host='algo-1', stream=None):
        self.host = host
        self.stream = stream or sys.stdout

    def info(self, message, level='INFO'):
        stamp = time.strftime('%m/%d/%Y %H:%M:%S', time.gmtime())
        self.stream.write(f'[{stamp} {level} {threading.get_ident()}] {message}\n')
        self.stream.flush()

    def warning(self, message):
        self.info(message, 'WARNING')

    def scores(self, channel, scores):
        """``#<channel>_score`` tuples then ``#quality_metric`` lines for (name, value) pairs."""
        for name, value in scores:
            self.info(f'#{channel}_score ({self.host}) : ({name!r}, {float(value)!r})')
        for name, value in scores:
            self.info(f'#quality_metric: host={self.host}, {channel} {name} <loss>={float(value)!r}')

    def metrics(self, values, start, end, operation='training'):
        body = {
            'StartTime': start,
            'EndTime': end,
            'Dimensions': {'Algorithm': 'AWS/KMeansWebscale', 'Host': self.host, 'Operation': operation},
            'Metrics': {k: {'sum': v, 'count': 1, 'min': v, 'max': v} for k, v in values.items()},
        }
        self.stream.write('#metrics ' + json.dumps(body) + '\n')
        self.stream.flush()
