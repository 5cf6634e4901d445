"""The command line (typer only): the app and its commands, each group in a module of its own."""

import typer

from kinspect.cli.fix_command import fix
from kinspect.cli.lint_commands import cluster, lint
from kinspect.cli.messages import error_line
from kinspect.cli.rule_commands import docs, explain, list_rules
from kinspect.cli.server_commands import server_app

__all__ = ["app", "error_line"]

app = typer.Typer(
    name="kinspect",
    help="Inspect Kubernetes manifests for security and reliability risks.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(server_app, name="server")
app.command()(lint)
app.command()(fix)
app.command()(cluster)
app.command("rules")(list_rules)
app.command()(explain)
app.command()(docs)
