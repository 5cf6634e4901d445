"""Parse errors as kinspect reports them: one line, the place, the cause and a hint.

libyaml's messages are kept (they are precise), with hints for the usual causes: tabs for
indentation, Helm templates, control characters. JSON is checked with Python's decoder,
which says what JSON expected where.
"""

from __future__ import annotations

import json

from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.reader import ReaderError

from kinspect.errors import KinspectError


def check_json(text: str) -> KinspectError | None:
    """Why `text` is not JSON (a stream of JSON values, as kubectl reads), or None."""
    decoder = json.JSONDecoder()
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position == length:
            return None
        try:
            _, position = decoder.raw_decode(text, position)
        except RecursionError:  # too deep for Python's decoder: the YAML reading reports it
            return None
        except json.JSONDecodeError as exc:
            yaml = text.lstrip()[:1] not in ("{", "[")
            return KinspectError(
                f"invalid JSON: {exc.msg}",
                line=exc.lineno,
                column=exc.colno,
                hint="if the file holds YAML, name it .yaml"
                if yaml
                else "kubectl reads it as JSON and refuses it too; the findings below assume YAML",
            )


def yaml_error(exc: MarkedYAMLError, text: str) -> KinspectError:
    mark = exc.problem_mark or exc.context_mark
    problem = one_line(exc.problem or exc.context or "invalid YAML")
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    hint = None
    if line is not None and column is not None and _char_at(text, line, column) == "\t":
        hint = "YAML does not allow tabs for indentation; use spaces"
    elif "{{" in text:
        hint = "this looks like a Helm template: inspect the chart directory, or render it first"
    return KinspectError(f"invalid YAML: {problem}", line=line, column=column, hint=hint)


def reader_error(exc: ReaderError, text: str) -> KinspectError:
    """A character YAML forbids (control characters); libyaml's position counts UTF-8 bytes."""
    prefix = text.encode("utf-8", "surrogatepass")[: int(exc.position)]
    position = len(prefix.decode("utf-8", "ignore"))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
    return KinspectError(
        f"invalid YAML: character U+{character:04X} is not allowed",
        line=line,
        column=column,
        hint="remove it, or write it as an escape in a double-quoted string",
    )


def _char_at(text: str, line: int, column: int) -> str:
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column - 1 : start + column]


def one_line(message: str) -> str:
    return " ".join(message.split())
