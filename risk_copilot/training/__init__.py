"""Training of the reviewer's models from ../shared/corpora (``make train``).

``cuad_heads``: the clause-category heads (CUAD); ``embedding_cache``: the on-disk cache
of clause embeddings (under ``var/``) that makes re-runs quick.
"""
