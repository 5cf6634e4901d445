"""Input errors and the exit codes of the command line."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One input that could not be read or parsed (whole or in part)."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def render(self) -> str:
        """One line: `file:line:col: message (hint: ...)`."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        text = f"{text} (hint: {self.hint})" if self.hint else text
        return escape_controls(text)


# C0 controls, DEL and C1 controls; \x escapes keep them visible and on one line.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}


def escape_controls(text: str) -> str:
    """`text` with control characters escaped: a file name or message cannot start a new line
    or send a terminal escape sequence."""
    return text.translate(_CONTROLS)


class KinspectError(Exception):
    """A problem that stops one input (or, raised from configuration, the whole run)."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint

    def at(self, file: str) -> InputProblem:
        """The problem, attributed to `file`."""
        return InputProblem(file, self.message, self.line, self.column, self.hint)


class UsageError(Exception):
    """Bad options or configuration: the run cannot start (exit code 2)."""
