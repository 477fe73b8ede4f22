"""SageMaker data formats for the built-in algorithms.

Training data (each reader returns a ``Dataset(features, labels)``: features a float32 ndarray
(rows, dim) or float32 CSR matrix, labels a float32 array or None; errors are ClientError naming
the file and line/record):
  ``read_channel(channel, supported, default_content_type, label_size=1)`` — a whole channel
  ``read_file(path, ContentType, label_size, source)`` — one file; ``read_source`` also FIFOs and
  RecordIO-wrapped inputs; ``read_bytes(data, ContentType, …)`` — bytes already read
  ``read_csv(path, label_size=1)`` / ``parse_csv(text, label_size=0)`` — text/csv
  ``read_libsvm(path)`` / ``parse_libsvm(text)`` / ``write_libsvm(matrix, labels)`` — text/libsvm
  ``read_recordio_protobuf(bytes, source)`` / ``write_dense(matrix, labels)`` /
  ``write_sparse(csr, labels)`` / ``write_label_records(columns)`` / ``encode_record`` /
  ``decode_record`` / ``iter_decoded`` — application/x-recordio-protobuf (record_pb)
  ``iter_records`` / ``write_records`` / ``frame`` — MXNet RecordIO framing (recordio)
  ``require_finite(matrix, source)`` — ClientError on NaN/inf
Content types: ``parse_content_type(header, default)`` → ContentType(media_type, params, raw) with
``label_size(default)``; constants CSV, LIBSVM, RECORDIO_PROTOBUF, JSON, JSONLINES, PARQUET.
Inference: ``decode_request(body, content_type)`` → features (UnsupportedContentType → 415,
ClientError → 400), ``check_feature_dim(features, dim)``, ``encode_response(columns, accept)`` →
(bytes, content type) for JSON / JSON Lines / recordio-protobuf / CSV.
"""

from .content_type import CSV, JSON, JSONLINES, LIBSVM, PARQUET, RECORDIO_PROTOBUF, ContentType, parse_content_type
from .csv import parse_csv, read_csv, require_finite
from .dataset import Dataset, empty_dataset
from .inference import UnsupportedContentType, check_feature_dim, decode_request, encode_response
from .libsvm import parse_libsvm, read_libsvm, write_libsvm
from .reader import concatenate, read_bytes, read_channel, read_file, read_source
from .record_pb import (Tensor, decode_record, encode_record, iter_decoded, read_recordio_protobuf, write_dense,
                        write_label_records, write_sparse)
from .recordio import frame, iter_records, write_records

__all__ = [
    'CSV', 'JSON', 'JSONLINES', 'LIBSVM', 'PARQUET', 'RECORDIO_PROTOBUF', 'ContentType', 'parse_content_type',
    'parse_csv', 'read_csv', 'require_finite', 'Dataset', 'empty_dataset',
    'UnsupportedContentType', 'check_feature_dim', 'decode_request', 'encode_response',
    'parse_libsvm', 'read_libsvm', 'write_libsvm', 'concatenate', 'read_bytes', 'read_channel', 'read_file', 'read_source',
    'Tensor', 'decode_record', 'encode_record', 'iter_decoded', 'read_recordio_protobuf', 'write_dense',
    'write_label_records', 'write_sparse', 'frame', 'iter_records', 'write_records',
]
