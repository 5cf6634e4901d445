"""`kinspect lsp`: the language server for editors (the `lsp` extra: pygls)."""

from typing import Annotated

import typer

from kinspect.errors import UsageError


def lsp(
    stdio: Annotated[
        bool, typer.Option("--stdio", help="Talk LSP over stdin/stdout (the default and only way).")
    ] = True,
) -> None:
    """Run the language server over stdin/stdout: diagnostics, fixes and explanations as you
    type in YAML and JSON manifests. Editors start it; see the README for the set-up."""
    try:
        from kinspect.lsp.features import serve
    except ImportError as exc:  # pygls is the `lsp` extra
        raise UsageError(
            f"the language server needs pygls ({exc.name} is not installed)"
            ' (hint: pip install "kinspect[lsp]")'
        ) from None
    raise typer.Exit(serve())
