"""Generators of the golden fixtures that pin the TypeScript evaluation metrics (test/fixtures/eval) to
their reference implementations; a package so the generator runs as `python3 -m eval_fixtures...`."""
