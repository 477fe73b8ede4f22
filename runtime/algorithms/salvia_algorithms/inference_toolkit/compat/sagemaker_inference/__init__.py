"""Salvia's stand-in for the sagemaker-inference package's helper modules (content_types, decoder,
encoder, errors), for user scripts that import them. Only used when the real package is absent."""
