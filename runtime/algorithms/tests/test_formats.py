"""Unit tests of salvia_algorithms.formats: round trips, the wire format and error cases."""

import json
import os
import struct
import tempfile
import unittest

import numpy as np
import scipy.sparse

from salvia_algorithms.contract import Channel, ClientError
from salvia_algorithms import formats as F
from salvia_algorithms.formats import record_pb, recordio

# Record{features{"values": Float32Tensor[1, 2]}, label{"values": Float32Tensor[3]}} written by
# hand from record.proto (field numbers, packed floats) — independent of the encoder under test.
GOLDEN = bytes.fromhex(
    '0a16' '0a06' + b'values'.hex() + '120c' '120a' '0a08' '0000803f' '00000040'
    + '1212' '0a06' + b'values'.hex() + '1208' '1206' '0a04' '00004040')


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def write(self, name, data):
        path = os.path.join(self.dir.name, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
            f.write(data)
        return path


class RecordProtobufTest(unittest.TestCase):
    def test_golden_bytes(self):
        self.assertEqual(record_pb.encode_record({'values': np.float32([1, 2])}, {'values': np.float32([3])}), GOLDEN)
        record = record_pb.decode_record(GOLDEN)
        self.assertEqual(record.features['values'].values.tolist(), [1.0, 2.0])
        self.assertEqual(record.label['values'].values.tolist(), [3.0])
        stream = F.write_dense(np.float32([[1, 2]]), np.float32([3]))
        self.assertEqual(stream, struct.pack('<II', 0xCED7230A, len(GOLDEN)) + GOLDEN + b'\0' * (-len(GOLDEN) % 4))

    def test_dense_round_trip_fast_and_slow_paths(self):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(500, 7)).astype(np.float32)
        y = rng.integers(0, 3, 500).astype(np.float32)
        data = F.write_dense(x, y)
        fast = F.read_recordio_protobuf(data)
        np.testing.assert_array_equal(fast.features, x)
        np.testing.assert_array_equal(fast.labels, y)
        # A uid on one record breaks the uniform layout: the per-record decoder must agree.
        payloads = list(recordio.iter_records(data))
        payloads[3] = record_pb.encode_record({'values': x[3]}, {'values': y[3:4]}, uid='row-3')
        slow = F.read_recordio_protobuf(recordio.write_records(payloads))
        np.testing.assert_array_equal(slow.features, x)
        np.testing.assert_array_equal(slow.labels, y)
        unlabeled = F.read_recordio_protobuf(F.write_dense(x))
        self.assertIsNone(unlabeled.labels)

    def test_float64_int32_and_unpacked_tensors(self):
        payloads = [record_pb.encode_record({'values': np.float64([1.5, 2.5])}, {'values': np.int32([1])}),
                    record_pb.encode_record({'values': np.int32([-3, 4])}, {'values': np.int32([0])})]
        data = F.read_recordio_protobuf(recordio.write_records(payloads))
        np.testing.assert_array_equal(data.features, np.float32([[1.5, 2.5], [-3, 4]]))
        np.testing.assert_array_equal(data.labels, np.float32([1, 0]))
        # unpacked float field: tag 0x0d (field 1, fixed32) per value
        tensor = b'\x0d' + struct.pack('<f', 5.0) + b'\x0d' + struct.pack('<f', 6.0)
        value = b'\x12' + bytes([len(tensor)]) + tensor
        entry = b'\x0a\x06values\x12' + bytes([len(value)]) + value
        record = b'\x0a' + bytes([len(entry)]) + entry
        self.assertEqual(record_pb.decode_record(record).features['values'].values.tolist(), [5.0, 6.0])

    def test_sparse_round_trip(self):
        matrix = scipy.sparse.random(40, 30, density=0.1, format='csr', dtype=np.float32, random_state=1)
        labels = np.arange(40, dtype=np.float32)
        data = F.read_recordio_protobuf(F.write_sparse(matrix, labels))
        self.assertTrue(data.is_sparse)
        self.assertEqual(data.features.shape, (40, 30))
        np.testing.assert_array_equal(data.features.toarray(), matrix.toarray())
        np.testing.assert_array_equal(data.labels, labels)

    def test_label_records_response(self):
        data = F.write_label_records({'closest_cluster': np.float32([5, 1]), 'distance_to_cluster': np.float32([36.5, 0.25])})
        records = list(F.iter_decoded(data))
        self.assertEqual(records[0].label['closest_cluster'].values.tolist(), [5.0])
        self.assertEqual(records[1].label['distance_to_cluster'].values.tolist(), [0.25])
        self.assertEqual(records[0].features, {})

    def test_errors(self):
        good = F.write_dense(np.float32([[1, 2], [3, 4]]), np.float32([0, 1]))
        with self.assertRaisesRegex(ClientError, r'train/a\.pbr: truncated RecordIO record #1'):
            F.read_recordio_protobuf(good[:-3], 'train/a.pbr')
        with self.assertRaisesRegex(ClientError, r'x: invalid RecordIO magic number 0x64636261 at byte offset 0'):
            F.read_recordio_protobuf(b'abcdefgh' + good, 'x')
        with self.assertRaisesRegex(ClientError, r'x, record 0: not a valid aialgs.data.Record'):
            F.read_recordio_protobuf(recordio.frame(b'\x0a\x50\x01'), 'x')
        ragged = recordio.write_records([record_pb.encode_record({'values': np.float32([1, 2])}),
                                         record_pb.encode_record({'values': np.float32([1, 2, 3])})])
        with self.assertRaisesRegex(ClientError, r'x, record 1: 3 features, but record 0 has 2'):
            F.read_recordio_protobuf(ragged, 'x')

    def test_recordio_continuation_parts(self):
        part1, part2 = b'abcd', b'efgh'
        stream = (struct.pack('<II', recordio.MAGIC, (1 << 29) | 4) + part1 + struct.pack('<II', recordio.MAGIC, (3 << 29) | 4) + part2)
        self.assertEqual(list(recordio.iter_records(stream)), [part1 + recordio.MAGIC_BYTES + part2])
        self.assertEqual(list(recordio.iter_records(recordio.write_records([b'a', b'bcdef']))), [b'a', b'bcdef'])


class CsvTest(TempDirTest):
    def test_label_first_and_label_size_zero(self):
        path = self.write('a.csv', '1,0.5,2\n0,1.5,3\n\n')
        data = F.read_csv(path)
        np.testing.assert_array_equal(data.labels, np.float32([1, 0]))
        np.testing.assert_array_equal(data.features, np.float32([[0.5, 2], [1.5, 3]]))
        self.assertIsNone(F.read_csv(path, label_size=0).labels)
        self.assertEqual(F.read_csv(path, label_size=0).features.shape, (2, 3))

    def test_delimiters(self):
        for text in ('1\t2\t3\n4\t5\t6\n', '1;2;3\n4;5;6\n', '1 2  3\n4 5 6\n'):
            np.testing.assert_array_equal(F.parse_csv(text).features, np.float32([[1, 2, 3], [4, 5, 6]]).reshape(2, 3))

    def test_ragged_and_non_numeric(self):
        path = self.write('train/part.csv', '1,2,3\n4,5,6\n7,8\n')
        with self.assertRaisesRegex(ClientError, r'train/part\.csv: line 3 has 2 columns, but line 1 has 3'):
            F.read_csv(path, source='train/part.csv')
        with self.assertRaisesRegex(ClientError, r"request: line 2, column 2: 'abc' is not a number"):
            F.parse_csv('1,2\n3,abc\n')
        with self.assertRaisesRegex(ClientError, r"line 1, column 1: 'a' is not a number"):
            F.parse_csv('a,b\n1,2\n')
        with self.assertRaisesRegex(ClientError, r"line 2, column 2: '<empty>' is not a number"):
            F.parse_csv('1,2\n3,\n')

    def test_require_finite(self):
        F.require_finite(np.float32([[1, 2]]), 'x')
        with self.assertRaisesRegex(ClientError, 'x: row 1 contains NaN'):
            F.require_finite(F.parse_csv('1,2\nnan,3\n').features, 'x')


class LibsvmTest(TempDirTest):
    def test_round_trip_and_errors(self):
        matrix = np.float32([[0, 1.5, 0], [2, 0, 3]])
        text = F.write_libsvm(matrix, np.float32([1, 0]))
        data = F.parse_libsvm(text)
        np.testing.assert_array_equal(data.features.toarray(), matrix)
        np.testing.assert_array_equal(data.labels, np.float32([1, 0]))
        with self.assertRaisesRegex(ClientError, r"f: line 2: 'x:1' is not <index>:<value>"):
            F.parse_libsvm('1 0:1\n0 x:1\n', 'f')
        self.assertEqual(F.parse_libsvm('0:1 2:3\n', require_label=False).features.shape, (1, 3))


class ChannelTest(TempDirTest):
    def test_read_channel_concatenates_files(self):
        self.write('train/a.csv', '1,1,2\n')
        self.write('train/sub/b.csv', '0,3,4\n')
        self.write('train/.hidden', 'junk')
        channel = Channel('train', os.path.join(self.dir.name, 'train'), 'text/csv')
        data = F.read_channel(channel, [F.CSV, F.RECORDIO_PROTOBUF], F.RECORDIO_PROTOBUF)
        np.testing.assert_array_equal(data.features, np.float32([[1, 2], [3, 4]]))
        np.testing.assert_array_equal(data.labels, np.float32([1, 0]))

    def test_content_type_and_mismatch(self):
        self.write('t/a.pbr', F.write_dense(np.float32([[1, 2]])))
        self.write('t/b.pbr', F.write_dense(np.float32([[1, 2, 3]])))
        channel = Channel('t', os.path.join(self.dir.name, 't'), None)
        with self.assertRaisesRegex(ClientError, r't/b\.pbr: rows have 3 features, but t/a\.pbr has 2'):
            F.read_channel(channel, [F.RECORDIO_PROTOBUF], F.RECORDIO_PROTOBUF)
        with self.assertRaisesRegex(ClientError, r"Content type 'text/plain' of channel 't' is not supported"):
            F.read_channel(Channel('t', channel.directory, 'text/plain'), [F.CSV], F.CSV)

    def test_pipe_fifo_and_recordio_wrapper(self):
        import threading

        directory = os.path.join(self.dir.name, 'train')
        fifo = directory + '_0'
        os.mkfifo(fifo)

        def feed():
            with open(fifo, 'wb') as f:
                f.write(recordio.write_records([b'1,2,3\n', b'4,5,6']))

        writer = threading.Thread(target=feed)
        writer.start()
        channel = Channel('train', directory, 'text/csv', input_mode='Pipe', record_wrapper='RecordIO')
        data = F.read_channel(channel, [F.CSV], F.CSV, label_size=0)
        writer.join()
        np.testing.assert_array_equal(data.features, np.float32([[1, 2, 3], [4, 5, 6]]))

    def test_content_type_parsing(self):
        kind = F.parse_content_type('Text/CSV; label_size=0')
        self.assertEqual((kind.media_type, kind.label_size(1)), ('text/csv', 0))
        self.assertEqual(F.parse_content_type('text/x-libsvm').media_type, F.LIBSVM)
        self.assertEqual(F.parse_content_type(None, 'application/x-recordio-protobuf').media_type, F.RECORDIO_PROTOBUF)
        with self.assertRaises(ClientError):
            F.parse_content_type('text/csv;label_size=x').label_size(1)


class InferenceTest(unittest.TestCase):
    def test_decoders(self):
        expected = np.float32([[1, 2], [3, 4]])
        bodies = [
            ('text/csv', b'1,2\n3,4\n'),
            ('application/json', json.dumps({'instances': [{'features': [1, 2]}, {'data': {'features': {'values': [3, 4]}}}]}).encode()),
            ('application/json', b'[[1,2],[3,4]]'),
            ('application/jsonlines', b'{"features":[1,2]}\n[3,4]\n'),
            ('application/x-recordio-protobuf', F.write_dense(expected)),
        ]
        for content_type, body in bodies:
            np.testing.assert_array_equal(F.decode_request(body, content_type), expected, err_msg=content_type)
        np.testing.assert_array_equal(F.decode_request(b'{"features":[5,6]}', 'application/json'), np.float32([[5, 6]]))
        sparse = F.decode_request(json.dumps({'instances': [{'data': {'features': {'keys': [1], 'values': [7], 'shape': [3]}}}]}),
                                  'application/json')
        np.testing.assert_array_equal(sparse.toarray(), np.float32([[0, 7, 0]]))

    def test_decoder_errors(self):
        with self.assertRaises(F.UnsupportedContentType):
            F.decode_request(b'x', 'image/png')
        for content_type, body, pattern in [
            ('application/json', b'{', 'not valid JSON'),
            ('application/json', b'{"instances":[{"features":[1,2]},{"features":[1]}]}', 'instance 1 has 1 features'),
            ('application/json', b'{"instances":[{"features":["a"]}]}', 'features must be numbers'),
            ('application/jsonlines', b'[1]\n{oops\n', 'line 2: not valid JSON'),
            ('text/csv', b'1,2\n3\n', 'line 2 has 1 columns'),
        ]:
            with self.assertRaisesRegex(ClientError, pattern):
                F.decode_request(body, content_type)
        with self.assertRaisesRegex(ClientError, 'feature_dim=3'):
            F.check_feature_dim(np.zeros((1, 2)), 3)

    def test_encoders(self):
        columns = {'closest_cluster': np.int32([5, 0]), 'distance_to_cluster': np.float32([36.5, 0.1])}
        body, kind = F.encode_response(columns, 'application/json')
        self.assertEqual(kind, 'application/json')
        self.assertEqual(json.loads(body), {'predictions': [{'closest_cluster': 5, 'distance_to_cluster': 36.5},
                                                            {'closest_cluster': 0, 'distance_to_cluster': 0.1}]})
        body, kind = F.encode_response(columns, 'application/jsonlines')
        self.assertEqual([json.loads(line) for line in body.decode().splitlines()][1], {'closest_cluster': 0, 'distance_to_cluster': 0.1})
        body, kind = F.encode_response(columns, 'application/x-recordio-protobuf')
        self.assertEqual([r.label['closest_cluster'].values[0] for r in F.iter_decoded(body)], [5.0, 0.0])
        body, kind = F.encode_response({'score': np.float32([[0.25, 0.75]])}, 'text/csv')
        self.assertEqual(body, b'0.25,0.75\n')


if __name__ == '__main__':
    unittest.main()
