"""The diagnose stage (see docs/ARCHITECTURE.md)."""
