"""The rewrite passes, one module per fix action; `engine.PASSES` runs them in order."""
