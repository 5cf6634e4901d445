"""The report model, where reports go, and the formats: pure functions of the report."""
