"""Export Meta's SONAR text encoder/decoder checkpoints to lcm's codec contract (see export_sonar.py)."""
