"""Settings of a run: `.kinspect.yaml`, a Polaris config, baselines, the run plan."""
