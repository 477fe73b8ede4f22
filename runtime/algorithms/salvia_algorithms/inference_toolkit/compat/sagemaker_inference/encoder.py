"""``encode(array_like, content_type)`` (the toolkit's default encoders)."""

from salvia_algorithms.inference_toolkit.codecs import encode

__all__ = ['encode']
