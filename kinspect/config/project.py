"""`.kinspect.yaml`: find it, read it, validate it (errors name the file, line and key)."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinspect.bundled import schema_path
from kinspect.errors import InputProblem, KinspectError, UsageError
from kinspect.suppress.suppressor import Exemption

if TYPE_CHECKING:
    from kinspect.ruleset.model import Rule

CONFIG_NAME = ".kinspect.yaml"
ALL = "all"


@dataclass(frozen=True, slots=True)
class CheckRef:
    """A check id written in a configuration file, with where it was written."""

    id: str
    key: str
    line: int
    column: int


@dataclass(frozen=True)
class Config:
    """The settings of one configuration file (None or empty: not set there)."""

    file: Path | None = None
    severities: dict[str, str] = field(default_factory=dict)
    only_checks: list[str] | None = None
    skip_checks: list[str] | None = None
    fail_on: str | None = None
    lang: str | None = None
    formats: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    rules_dirs: list[Path] | None = None
    baseline: Path | None = None
    polaris_config: Path | None = None
    root: Path | None = None
    """The repository the file belongs to: the paths it names stay inside it."""
    pod_security: str | None = None
    """`LEVEL[:VERSION]` for namespaces without Pod Security labels (`pod-security:`)."""
    check_refs: list[CheckRef] = field(default_factory=list)
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Parameter values by check id (`parameters:`)."""
    parameter_lines: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)

    def apply_parameters(self, rules: list[Rule]) -> list[Rule]:
        """The rules with the file's parameter values; a wrong name or type is a UsageError."""
        from kinspect.ruleset.rules import with_parameters

        by_id = {rule.id: rule for rule in rules}
        errors = []
        for check, values in self.parameters.items():
            if check not in by_id:
                continue  # an unknown check id is reported by verify_checks
            errors += self._parameter_errors(by_id[check], values)
            if not errors:
                try:
                    by_id[check] = with_parameters(by_id[check], values)
                except KinspectError as exc:
                    errors.append(exc.at(str(self.file)).render())
        if errors:
            raise UsageError("\nkinspect: ".join(errors))
        return [by_id[rule.id] for rule in rules]

    def _parameter_errors(self, rule: Rule, values: dict[str, Any]) -> list[str]:
        from kinspect.ruleset.rules import parameter_problem

        errors = []
        for name, value in values.items():
            problem = parameter_problem(rule, name, value)
            if problem is not None:
                line, column = self.parameter_lines.get((rule.id, name), (0, 0))
                where = InputProblem(str(self.file), problem.message, line, column, problem.hint)
                errors.append(where.render())
        return errors

    def verify_checks(self, known: Iterable[str]) -> None:
        """Raise a UsageError naming every check id of the file that no rule has."""
        valid = set(known) | {ALL}
        errors = [
            InputProblem(
                str(self.file),
                f"{ref.key}: unknown check id {ref.id!r}",
                ref.line,
                ref.column,
                _suggestion(ref.id, valid),
            ).render()
            for ref in self.check_refs
            if ref.id not in valid or (ref.id == ALL and not ref.key.startswith("exemptions"))
        ]
        if errors:
            raise UsageError("\nkinspect: ".join(errors))


def _suggestion(word: str, valid: set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(valid - {ALL}), n=1)
    return f"did you mean {close[0]}?" if close else "`kinspect rules` lists the check ids"


def find_config(start: Path | None = None) -> Path | None:
    """`.kinspect.yaml` in `start` (default: the working directory) or a parent directory,
    stopping at the repository root (the directory that holds `.git`)."""
    directory = (start or Path.cwd()).resolve()
    for candidate in (directory, *directory.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            return None
    return None


def load_config(path: Path) -> Config:
    """Read and validate one configuration file; every problem is a UsageError."""
    data, root = read_yaml(path, "configuration file")
    if data is None:
        return Config(file=path)
    errors = schema_problems(data, root, _validator(), str(path))
    errors = errors or _format_problems(data, root, path) + _path_problems(data, root, path)
    if errors:
        raise UsageError("\nkinspect: ".join(errors))
    return _build(data, root, path)


def _format_problems(data: dict[str, Any], root: Any, path: Path) -> list[str]:
    from kinspect.parse.locate import locate
    from kinspect.report.formats import format_names

    value = data.get("format", [])
    values = [value] if isinstance(value, str) else value
    errors = []
    for index, item in enumerate(values):
        name = item.partition("=")[0].strip().lower()
        if name not in format_names():
            at: list[str | int] = ["format"] if isinstance(value, str) else ["format", index]
            (line, column), _ = locate(root, at)
            message = f"{key_text(at)}: unknown format {name!r}"
            hint = f"valid: {', '.join(format_names())}"
            errors.append(InputProblem(str(path), message, line, column, hint).render())
    return errors


def _path_problems(data: dict[str, Any], root: Any, path: Path) -> list[str]:
    """Paths of the file that leave its repository (kinspect.report.confine), one line each."""
    from kinspect.config.paths import path_problems
    from kinspect.parse.locate import locate

    hint = "name a path inside the repository, or give it on the command line"
    return [
        InputProblem(str(path), f"{key_text(at)}: {why}", *locate(root, at)[0], hint).render()
        for at, why in path_problems(data, path)
    ]


def read_yaml(path: Path, what: str) -> tuple[Any, Any]:
    """(plain data, node tree) of a one-document YAML file; (None, None) when it is empty."""
    from kinspect.inputs.sources import decode
    from kinspect.parse.loader import load_documents

    try:
        text = decode(path.read_bytes())
        documents = list(load_documents(text))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    except KinspectError as exc:
        raise UsageError(exc.at(str(path)).render()) from None
    if not documents:
        return None, None
    if len(documents) > 1:
        second = documents[1].line
        raise UsageError(f"{path}:{second}: the {what} holds more than one YAML document")
    return documents[0].data, documents[0].root


def schema_problems(data: Any, root: Any, validator: Any, file: str) -> list[str]:
    """Every schema violation as `file:line:col: key: message`, in document order."""
    from kinspect.parse.locate import locate

    found: list[tuple[tuple[int, int], str]] = []
    for path, message in _violations(validator, data):
        position, _ = locate(root, path)
        key = key_text(path) or "(top level)"
        found.append((position, InputProblem(file, f"{key}: {message}", *position).render()))
    return [text for _, text in sorted(found)]


def _violations(validator: Any, data: Any) -> Iterator[tuple[list[str | int], str]]:
    for error in validator.iter_errors(data):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - allowed, key=str):
                hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                extra = f" (hint: did you mean {hint[0]}?)" if hint else ""
                yield [*path, key], f"unknown key{extra}"
        elif error.validator == "enum":
            choices = ", ".join(str(c) for c in error.validator_value)
            yield path, f"{json.dumps(error.instance)} is not one of: {choices}"
        elif error.validator == "required":
            yield path, f"missing {error.message.split(' is a')[0]}"
        elif error.validator == "oneOf" and error.context:
            yield path, "expected " + " or ".join(_expected(e) for e in error.context)
        else:
            yield path, error.message


def _expected(error: Any) -> str:
    kind = error.schema.get("type", "value")
    return f"a {kind}" if kind != "array" else "a list"


def key_text(path: Iterable[str | int]) -> str:
    """`exemptions[0].reason`: a path in a config file as its error messages name it (results
    name fields in their own dotted form, kube.paths.dotted)."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path("config.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _build(data: dict[str, Any], root: Any, path: Path) -> Config:
    from kinspect.report.confine import repository_root

    base = path.parent.resolve()
    formats = data.get("format")
    return Config(
        file=path,
        severities=dict(data.get("checks", {})),
        only_checks=data.get("only-checks"),
        skip_checks=data.get("skip-checks"),
        fail_on=data.get("fail-on"),
        lang=data.get("lang"),
        pod_security=data.get("pod-security"),
        formats=[_output(f, base) for f in ([formats] if isinstance(formats, str) else formats)]
        if formats
        else None,
        exclude=list(data.get("exclude", [])),
        exemptions=[
            exemption(entry, index + 1, _shown(path), base)
            for index, entry in enumerate(data.get("exemptions", []))
        ],
        rules_dirs=[base / d for d in data["rules-dirs"]] if "rules-dirs" in data else None,
        baseline=base / data["baseline"] if "baseline" in data else None,
        polaris_config=base / data["polaris-config"] if "polaris-config" in data else None,
        root=repository_root(base),
        check_refs=list(_check_refs(data, root)),
        parameters={check: dict(values) for check, values in data.get("parameters", {}).items()},
        parameter_lines=_parameter_lines(data, root),
    )


def _parameter_lines(data: dict[str, Any], root: Any) -> dict[tuple[str, str], tuple[int, int]]:
    from kinspect.parse.locate import locate

    return {
        (check, name): locate(root, ["parameters", check, name])[0]
        for check, values in data.get("parameters", {}).items()
        for name in values
    }


def _shown(path: Path) -> str:
    """The path as messages show it: relative to the working directory."""
    return os.path.relpath(path).replace(os.sep, "/")


def _output(value: str, base: Path) -> str:
    """`FORMAT=PATH` with PATH relative to the configuration file's directory."""
    name, equals, file = value.partition("=")
    return f"{name}={base / file}" if equals and file else value


def exemption(entry: dict[str, Any], number: int, source: str, base: Path) -> Exemption:
    """An Exemption from a validated `exemptions` entry."""
    checks = frozenset(entry["checks"])
    return Exemption(
        checks=frozenset() if ALL in checks else checks,
        reason=entry["reason"],
        namespaces=tuple(entry.get("namespaces", ())),
        kinds=tuple(entry.get("kinds", ())),
        names=tuple(entry.get("names", ())),
        containers=tuple(entry.get("containers", ())),
        paths=tuple(entry.get("paths", ())),
        base=str(base),
        source=source,
        number=number,
    )


def _check_refs(data: dict[str, Any], root: Any) -> Iterator[CheckRef]:
    from kinspect.parse.locate import locate

    paths: list[list[str | int]] = [["checks", key] for key in data.get("checks", {})]
    paths += [["parameters", key] for key in data.get("parameters", {})]
    for key in ("only-checks", "skip-checks"):
        paths += [[key, i] for i in range(len(data.get(key, [])))]
    for n, entry in enumerate(data.get("exemptions", [])):
        paths += [["exemptions", n, "checks", i] for i in range(len(entry["checks"]))]
    for path in paths:
        (line, column), _ = locate(root, path)
        value = path[1] if path[0] in ("checks", "parameters") else _get(data, path)
        yield CheckRef(str(value), key_text(path), line, column)


def _get(data: Any, path: list[str | int]) -> Any:
    for key in path:
        data = data[key]
    return data
