"""Each source opened as a stream by its adapter: files, Helm charts and renders,
kustomizations, cluster exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from kinspect.errors import InputProblem
from kinspect.inputs.kinds import CHART, CLUSTER, FILE, KUSTOMIZATION, PATCH, Source
from kinspect.inputs.sources import read_text
from kinspect.inputs.streams import InputState, Stream, is_template_file


def open_stream(run: InputState, source: Source) -> Stream | None:
    """The stream of a source; None when it is a Helm template file or a kustomize patch
    (noted instead)."""
    opener = _OPENERS.get(source.kind)
    if opener is not None:
        return opener(run, source)
    text = read_text(source, run.limits.max_file_size)
    if is_template_file(source.name, text) and not _plain_template(run, source, text):
        parts = PurePosixPath(source.name).parts
        last = len(parts) - 1 - parts[::-1].index("templates")
        directory = str(PurePosixPath(*parts[: last + 1]))  # one note per chart's templates/
        run.template_dirs.setdefault(directory, []).append(source.name)
        return None
    if "# Source: " in text:
        from kinspect.inputs.helm import stream_mapper

        return Stream(source.name, text, stream_mapper(source, text, run.options.helm))
    return Stream(source.name, text)


def _plain_template(run: InputState, source: Source, text: str) -> bool:
    """Whether a file that looks like a Helm template is inspected as plain YAML: when no
    chart holds it (nothing would ever render it) and it parses (with a note)."""
    from kinspect.parse.split import syntax_ok

    if in_chart(source) or not syntax_ok(text):
        return False
    message = "looks like a Helm template (it holds `{{`), but no Chart.yaml is beside its"
    message += " templates/ directory: inspected as plain YAML"
    run.notes.append(InputProblem(source.name, message))
    return True


def in_chart(source: Source) -> bool:
    """Whether a Chart.yaml is beside the nearest `templates` directory above the file."""
    if source.path is None:
        return False
    for directory in source.path.absolute().parents:
        if directory.name == "templates":
            return (directory.parent / "Chart.yaml").is_file()
    return False


def _note_patch(run: InputState, source: Source) -> None:
    from kinspect.inputs.kustomization_files import patch_user_shown

    run.patch_files.setdefault(patch_user_shown(source), []).append(source.name)


def _open_chart(run: InputState, source: Source) -> Stream:
    from kinspect.inputs.helm import render_chart

    return render_chart(source, run.options.helm, run.limits)


def _open_kustomization(run: InputState, source: Source) -> Stream:
    from kinspect.inputs.kustomize import build

    return build(source, run.options.kustomize_cmd, run)


def _open_cluster(run: InputState, source: Source) -> Stream:
    from kinspect.inputs.cluster import fetch
    from kinspect.inputs.cluster_kinds import cluster_scoped_kinds

    options = run.options.cluster
    stream = fetch(options, run.notes)
    if not options.all_namespaces:
        run.context_only.append((stream.name, cluster_scoped_kinds(), options.namespace))
    return stream


_OPENERS: dict[str, Callable[[InputState, Source], Stream | None]] = {
    CHART: _open_chart,
    KUSTOMIZATION: _open_kustomization,
    CLUSTER: _open_cluster,
    PATCH: _note_patch,
}
assert FILE not in _OPENERS
