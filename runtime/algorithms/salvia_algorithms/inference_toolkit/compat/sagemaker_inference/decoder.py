"""``decode(obj, content_type)`` → NumPy array (the toolkit's default decoders)."""

from salvia_algorithms.inference_toolkit.codecs import decode

__all__ = ['decode']
