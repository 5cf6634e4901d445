"""Inputs: files, walks and stdin, Helm charts, kustomizations, clusters, opened as streams."""
