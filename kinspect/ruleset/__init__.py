"""Rules as data: the rule model, loading and validating rule files, their caches and schemas."""
