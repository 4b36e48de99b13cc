"""Sub-command modules of the ``trilateral`` CLI: each is thin over the library."""
