"""The measure stage (see docs/ARCHITECTURE.md)."""
