"""Structural validation against the bundled Kubernetes API schemas (unknown fields, types)."""
