"""The command line: the typer app, its option types and commands, the entry point."""
