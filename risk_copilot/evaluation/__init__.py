"""Evaluations of the reviewer against public expert-labelled data and the acceptance cases.

``metrics`` holds the ranking metrics (AUPR, precision at recall, average precision);
``cuad`` the clause-level CUAD evaluation, ``cases`` the acceptance-case check and
``contract_nli`` the ContractNLI evaluation. Each evaluation module exposes
``add_arguments(parser)`` and ``run(args) -> int`` for the ``risk-copilot eval`` group.
"""
