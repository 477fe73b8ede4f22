"""MXNet RecordIO framing (little-endian): ``uint32 magic 0xCED7230A``, ``uint32 lrecord`` (low 29
bits = payload length, top 3 bits = continuation flag: 0 whole record, 1 first part, 2 middle
part, 3 last part; parts are joined with the magic bytes in between, as MXNet's reader does),
payload, zero padding to a 4-byte boundary."""

import struct

from ..contract import ClientError

MAGIC = 0xCED7230A
MAGIC_BYTES = struct.pack('<I', MAGIC)
_LENGTH_MASK = (1 << 29) - 1


def padded(length):
    """``length`` rounded up to a multiple of 4."""
    return (length + 3) & ~3


def frame(payload):
    """One whole RecordIO record (cflag 0) holding ``payload``."""
    length = len(payload)
    if length > _LENGTH_MASK:
        raise ValueError(f'RecordIO payload too large: {length} bytes')
    return MAGIC_BYTES + struct.pack('<I', length) + bytes(payload) + b'\0' * (padded(length) - length)


def write_records(payloads):
    """The RecordIO stream of ``payloads`` (an iterable of bytes)."""
    return b''.join(frame(p) for p in payloads)


def iter_records(data, source='input'):
    """Yields each record's payload (bytes) from a RecordIO stream ``data`` (bytes-like).
    Raises ClientError naming ``source``, the record number and the byte offset on a wrong
    magic number, a truncated header or payload, or a continuation record out of place."""
    view = memoryview(data)
    size = len(view)
    offset = 0
    index = 0
    parts = None
    while offset < size:
        if size - offset < 8:
            raise ClientError(f'{source}: truncated RecordIO record #{index} at byte offset {offset}: '
                              f'{size - offset} bytes left, a record header needs 8')
        magic, lrecord = struct.unpack_from('<II', view, offset)
        if magic != MAGIC:
            raise ClientError(f'{source}: invalid RecordIO magic number 0x{magic:08x} at byte offset {offset} (record #{index}); '
                              f'expected 0x{MAGIC:08x}. Is the data really {"application/x-recordio-protobuf"}?')
        length = lrecord & _LENGTH_MASK
        cflag = lrecord >> 29
        start = offset + 8
        if start + length > size:
            raise ClientError(f'{source}: truncated RecordIO record #{index} at byte offset {offset}: '
                              f'header says {length} bytes, only {size - start} remain')
        payload = view[start:start + length]
        offset = start + padded(length)
        if cflag == 0:
            if parts is not None:
                raise ClientError(f'{source}: RecordIO record #{index} at byte offset {start - 8} starts a new record inside a split one')
            index += 1
            yield bytes(payload)
        elif cflag == 1:
            if parts is not None:
                raise ClientError(f'{source}: RecordIO record #{index} at byte offset {start - 8} starts a new record inside a split one')
            parts = [bytes(payload)]
        elif cflag in (2, 3):
            if parts is None:
                raise ClientError(f'{source}: RecordIO continuation part at byte offset {start - 8} without a first part')
            parts.append(bytes(payload))
            if cflag == 3:
                index += 1
                yield MAGIC_BYTES.join(parts)
                parts = None
        else:
            raise ClientError(f'{source}: invalid RecordIO continuation flag {cflag} at byte offset {start - 8}')
    if parts is not None:
        raise ClientError(f'{source}: truncated RecordIO stream: split record #{index} has no last part')
