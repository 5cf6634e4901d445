"""Where a report's files are in their repository: paths relative to its top level.

SARIF locations and Markdown links name files as the repository does (`deploy/web.yaml`), not
as they were given on the command line (`../deploy/web.yaml`).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote


class RepoPaths:
    """File names as given → `/`-separated URIs relative to the root (absolute when outside):
    `--sarif-root`, else the git top level of each file, else the working directory."""

    def __init__(self, root: str | None) -> None:
        self.root = Path(os.path.abspath(root)) if root else None
        self.cwd = Path(os.path.abspath("."))
        self.toplevels: dict[Path, Path | None] = {}

    def uri(self, name: str) -> str:
        if name == "-":
            return "stdin"
        absolute = Path(os.path.abspath(name))
        base = self.root or self._toplevel(absolute.parent) or self.cwd
        for file, root in ((absolute, base), (absolute.resolve(), base.resolve())):
            if file.is_relative_to(root):
                return quote(file.relative_to(root).as_posix(), safe="/")
        return absolute.as_uri()

    def _toplevel(self, directory: Path) -> Path | None:
        """The nearest directory above `directory` that holds `.git` (a repository or worktree)."""
        if directory not in self.toplevels:
            if (directory / ".git").exists():
                found: Path | None = directory
            elif directory.parent == directory:
                found = None
            else:
                found = self._toplevel(directory.parent)
            self.toplevels[directory] = found
        return self.toplevels[directory]
