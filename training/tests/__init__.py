"""Tests of the training code that are not run through the TypeScript suite's scripts: the SONAR export
on tiny random checkpoints (test_export_sonar, `python3 -m unittest tests.test_export_sonar` from
training/) and its full-size dry run. A package, so they import their fixtures as tests.sonar_fixtures."""
