"""The data stage (see docs/ARCHITECTURE.md)."""
