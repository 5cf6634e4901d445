"""`kinspect fix`: plan, apply and render the fixes rule files declare; which files it edits."""
