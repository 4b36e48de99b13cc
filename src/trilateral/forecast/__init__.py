"""The forecast stage (see docs/ARCHITECTURE.md)."""
