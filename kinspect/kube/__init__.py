"""Kubernetes knowledge the rules share: workload kinds, pod specs, containers, selectors, paths."""
