"""Signature providers: the provider interface and the built-in provider."""
