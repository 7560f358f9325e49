"""Purchase-agreement connector: the built-in ledger (default) behind a connector interface."""
