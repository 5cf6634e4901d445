"""Helm: render chart directories and place rendered documents in their templates.

A chart is rendered with the `helm` binary when it is on PATH, else with the `kinspect[helm]`
extra (helm-python-sdk: Helm's Go SDK through ctypes). Either way the result is a stream in
`helm template` form, where `# Source: <chart>/templates/<file>` starts each document.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from kinspect.errors import KinspectError
from kinspect.inputs.bounded import run_bounded
from kinspect.inputs.helm_deps import check_dependencies, render_error
from kinspect.inputs.helm_map import HelmMapper
from kinspect.inputs.helm_origins import marked_origins
from kinspect.inputs.keylines import has_content, is_separator, segments
from kinspect.inputs.kinds import Source
from kinspect.inputs.streams import HelmOptions, Stream
from kinspect.parse.limits import DEFAULT_LIMITS, Limits

HELM_TIMEOUT_SECONDS = 300
_TEST_HOOK = re.compile(r"""^\s*["']?helm\.sh/hook["']?\s*:[^\n]*\btest\b""", re.MULTILINE)
_MISSING = (
    "cannot render the Helm chart: neither the helm binary nor the kinspect[helm] extra "
    "is installed"
)
_MISSING_HINT = "pip install 'kinspect[helm]' (offline, no binary needed), or put helm on PATH"


def render_chart(source: Source, options: HelmOptions, limits: Limits = DEFAULT_LIMITS) -> Stream:
    """Render a chart directory; findings are placed in its templates.

    The renderer runs in a process of its own, stopped as soon as its output (or its memory)
    passes what --max-file-size and --max-documents allow (kinspect.inputs.bounded).
    """
    assert source.path is not None
    check_dependencies(source.path, source.name)
    text = _rendered(source.path, options, source.name, limits)
    origins = marked_origins(
        source.path, text, lambda copy: _rendered(copy, options, source.name, limits)
    )
    mapper = HelmMapper(text, options.chart_root or source.name, rebase=True, origins=origins)
    build = f"{source.name} ({options.release_name})"
    return Stream(source.name, text, mapper, build=build, once=True)


def _rendered(chart: Path, options: HelmOptions, shown: str, limits: Limits) -> str:
    helm = shutil.which("helm")
    if helm is not None:
        return _run_binary(binary_command(helm, chart, options), shown, limits)
    return _render_in_child(chart, options, limits)


def stream_mapper(source: Source, text: str, options: HelmOptions) -> HelmMapper:
    """The mapper of a `helm template` output given as a file or on stdin."""
    from kinspect.inputs.helm_map import find_chart_root

    names = HelmMapper.chart_names(text)
    near = source.path.parent if source.path is not None else None
    root = options.chart_root or find_chart_root(names, near)
    return HelmMapper(text, root, rebase=False)


def binary_command(helm: str, chart: Path, options: HelmOptions) -> list[str]:
    """The `helm template` command line for the options."""
    command = [helm, "template", options.release_name, str(chart)]
    if options.namespace:
        command += ["--namespace", options.namespace]
    for values in options.values:
        command += ["--values", values]
    for assignment in options.set_values:
        command += ["--set", assignment]
    if options.kube_version:
        command += ["--kube-version", options.kube_version]
    if not options.include_tests:
        command.append("--skip-tests")
    return command


def _render_in_child(chart: Path, options: HelmOptions, limits: Limits) -> str:
    try:
        found = importlib.util.find_spec("helm_python") is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules
        found = False
    if not found:
        raise KinspectError(_MISSING, hint=_MISSING_HINT)
    command = [sys.executable, "-m", "kinspect.inputs.helm_render"]
    done = run_bounded(
        command, limits, HELM_TIMEOUT_SECONDS, "helm template", _request(chart, options)
    )
    if done.returncode == FAILED:
        reason = json.loads(done.stderr)
        raise KinspectError(reason["message"], hint=reason["hint"])
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise KinspectError(f"helm template failed: {lines[-1] if lines else done.returncode}")
    return done.stdout


FAILED = 3
"""The exit status of kinspect.inputs.helm_render when the render failed (why: on stderr)."""


def _request(chart: Path, options: HelmOptions) -> bytes:
    """What kinspect.inputs.helm_render reads on stdin: the chart and the options."""
    return json.dumps({"chart": str(chart), "options": dataclasses.asdict(options)}).encode()


def _run_binary(command: list[str], shown: str, limits: Limits) -> str:
    done = run_bounded(command, limits, HELM_TIMEOUT_SECONDS, "helm template")
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        message = lines[-1] if lines else f"exit status {done.returncode}"
        raise render_error(message.removeprefix("Error: "), shown)
    return done.stdout


def render_with_sdk(chart: Path, options: HelmOptions) -> str:
    """Render offline with helm-python-sdk, as `helm template` would print it."""
    try:
        import helm_python
    except ImportError:
        raise KinspectError(_MISSING, hint=_MISSING_HINT) from None
    try:
        values = _values(helm_python, options)
        with _go_log_silenced(), helm_python.Chart.load(str(chart)) as loaded:
            rendered = _render(helm_python, loaded, values, options)
    except helm_python.HelmError as exc:
        raise render_error(" ".join(str(exc).split()), str(chart)) from None
    return assemble(rendered, options.include_tests)


@contextmanager
def _go_log_silenced() -> Iterator[None]:
    """Helm's chart loader prints warnings with Go's `log` straight to file descriptor 2."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _values(helm_python: Any, options: HelmOptions) -> dict[str, Any]:
    """`--values` files in order, then `--set`, merged as Helm merges them."""
    merged: dict[str, Any] = {}
    for name in options.values:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise KinspectError(f"cannot read values file {name}: {exc.strerror}") from None
        merge(merged, helm_python.values_from_yaml(text))
    for assignment in options.set_values:
        merge(merged, helm_python.parse_set_string(assignment))
    return merged


def _render(helm_python: Any, chart: Any, values: dict[str, Any], options: HelmOptions) -> Any:
    render_options: dict[str, Any] = {
        "name": options.release_name,
        "namespace": options.namespace or "default",
        "is_install": True,
    }
    if options.kube_version is None:
        return chart.render(values, **render_options)
    # The SDK's C API takes kube_version, but Chart.render() does not expose it yet.
    render_options["kube_version"] = options.kube_version
    text = helm_python._native.call_string(
        "helm_render", chart._raw(), json.dumps(values), json.dumps(render_options)
    )
    return json.loads(text)


def merge(into: dict[str, Any], values: dict[str, Any]) -> None:
    """Deep-merge `values` into `into`: maps merge, anything else replaces."""
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def assemble(rendered: dict[str, str], include_tests: bool) -> str:
    """`helm template` output from rendered templates: partials and NOTES.txt left out."""
    parts: list[str] = []
    for name in sorted(rendered):
        base = PurePosixPath(name).name
        if base.startswith("_") or base == "NOTES.txt":
            continue
        for _, lines in segments(rendered[name]):
            body = lines[1:] if lines and is_separator(lines[0]) else lines
            text = "\n".join(body).strip("\n")
            if not has_content(body) or (not include_tests and _TEST_HOOK.search(text)):
                continue
            parts.append(f"---\n# Source: {name}\n{text}\n")
    return "".join(parts)
