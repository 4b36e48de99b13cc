"""The simulate stage (see docs/ARCHITECTURE.md)."""
