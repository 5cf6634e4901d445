"""kinspect: an offline inspector for Kubernetes workload configuration."""

__version__ = "0.1.0"
