"""Service layer: use cases of the lifecycle, each in one transaction, permission-checked."""
