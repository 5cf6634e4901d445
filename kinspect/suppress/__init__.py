"""The suppression stage: inline comments, annotations, config exemptions, unused ignores."""
