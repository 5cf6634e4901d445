"""The run: sources → documents → targets → results, in one process or many. Never prints."""
