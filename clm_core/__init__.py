"""Contract lifecycle core: author, review, approve, sign, execute, amend, terminate.

Build the services with :func:`clm_core.composition.build_clm`.
"""
