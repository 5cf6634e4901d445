"""Command-line options for the per-input limits of `kinspect.parse.limits` (typer types only)."""

from __future__ import annotations

from typing import Annotated

import typer

from kinspect.parse.limits import DEFAULT_LIMITS, MAX_DEPTH_CEILING, Limits, parse_size

MaxFileSize = Annotated[
    str,
    typer.Option(
        "--max-file-size", metavar="SIZE", help="Refuse larger inputs: bytes, or 512K, 8M, 1G."
    ),
]
MaxDepth = Annotated[
    int,
    typer.Option(
        "--max-depth",
        min=1,
        max=MAX_DEPTH_CEILING,
        help="Refuse documents nested deeper (mappings and lists).",
    ),
]
MaxDocuments = Annotated[
    int, typer.Option("--max-documents", min=1, help="Refuse files with more YAML documents.")
]
MaxNodes = Annotated[
    int,
    typer.Option(
        "--max-nodes", min=1, help="Refuse documents with more nodes, each alias counted expanded."
    ),
]
MaxAliasNodes = Annotated[
    int,
    typer.Option(
        "--max-alias-nodes",
        min=1,
        help="Refuse aliases past this many nodes, summed over the run (each process).",
    ),
]
FILE_SIZE = "8M"
DEPTH = DEFAULT_LIMITS.max_depth
DOCUMENTS = DEFAULT_LIMITS.max_documents
NODES = DEFAULT_LIMITS.max_nodes
ALIAS_NODES = DEFAULT_LIMITS.max_alias_nodes


def limits_of(
    max_file_size: str,
    max_depth: int,
    max_documents: int,
    max_nodes: int,
    max_alias_nodes: int = ALIAS_NODES,
) -> Limits:
    """The limits the options ask for; a bad size is a usage error."""
    size = parse_size(max_file_size)
    return Limits(size, max_depth, max_documents, max_nodes, max_alias_nodes)
