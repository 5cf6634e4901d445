"""Diagnostics of `kinspect lsp` for open buffers, through a real client over stdio."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  automountServiceAccountToken: false
  containers:
    - {name: "wéb😀", image: "nginx:latest"}
"""


async def opened(client: LanguageClient, path: Path, text: str, language: str = "yaml") -> str:
    """Open `path` with `text` (never saved) and wait for its diagnostics; its URI."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    await published(client, uri)
    return uri


async def published(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics published for `uri`."""
    while True:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if uri in client.diagnostics:
            return list(client.diagnostics.pop(uri))


def by_check(diagnostics: list[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in diagnostics}


async def diagnostics_of(
    client: LanguageClient, path: Path, text: str, language: str = "yaml"
) -> list[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    return await published(client, uri)


async def test_an_unsaved_buffer_gets_its_findings(client: LanguageClient, project: Path) -> None:
    found = by_check(await diagnostics_of(client, project / "pod.yaml", POD))
    host = found["hostNetworkSet"]
    assert host.range == types.Range(
        start=types.Position(line=5, character=2), end=types.Position(line=5, character=19)
    )
    assert host.severity == types.DiagnosticSeverity.Error
    assert host.source == "kinspect"
    assert host.code_description is not None
    assert host.code_description.href.endswith("/docs/rules/hostNetworkSet.md")
    assert "hostNetwork" in host.message
    assert found["livenessProbeMissing"].severity == types.DiagnosticSeverity.Warning
    assert not (project / "pod.yaml").exists()  # the buffer's text, never the disk's


async def test_columns_are_utf16_code_units(client: LanguageClient, project: Path) -> None:
    """`é` is one unit, `😀` two: the image key of line 9 starts at character 22 (code point 21)."""
    tag = by_check(await diagnostics_of(client, project / "pod.yaml", POD))["tagNotSpecified"]
    line = POD.splitlines()[8]
    assert line.index("image") == 21
    assert tag.range.start == types.Position(line=8, character=22)
    assert tag.range.end == types.Position(line=8, character=len(line) + 1)


async def test_changes_are_inspected_and_close_clears(
    client: LanguageClient, project: Path
) -> None:
    uri = await opened(client, project / "pod.yaml", POD)
    edited = POD.replace("  hostNetwork: true\n", "")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
        )
    )
    after = await published(client, uri)
    assert "hostNetworkSet" not in by_check(after)
    assert "tagNotSpecified" in by_check(after)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await published(client, uri) == []


async def test_the_projects_configuration_and_inline_ignores_apply(
    client: LanguageClient, project: Path
) -> None:
    (project / ".kinspect.yaml").write_text("skip-checks: [livenessProbeMissing]\n")
    ignored = POD.replace(
        "  hostNetwork: true\n", "  # kinspect: ignore[hostNetworkSet]\n  hostNetwork: true\n"
    )
    found = by_check(await diagnostics_of(client, project / "pod.yaml", ignored))
    assert "livenessProbeMissing" not in found
    assert "hostNetworkSet" not in found
    assert "tagNotSpecified" in found


async def test_a_misspelt_field_is_flagged(client: LanguageClient, project: Path) -> None:
    typo = POD.replace("hostNetwork: true", "hostNetwrk: true")
    diagnostics = await diagnostics_of(client, project / "pod.yaml", typo)
    on_typo = [d for d in diagnostics if d.range.start.line == 5]
    assert on_typo and "hostNetwrk" in on_typo[0].message


async def test_other_yaml_and_helm_templates_get_none(
    client: LanguageClient, project: Path
) -> None:
    workflow = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
    assert await diagnostics_of(client, project / "ci.yml", workflow) == []
    values = "replicaCount: 2\nimage: {tag: latest}\n"
    assert await diagnostics_of(client, project / "values.yaml", values) == []
    template = POD.replace("name: web", "name: {{ .Release.Name }}")
    templates = project / "chart" / "templates"
    templates.mkdir(parents=True)
    assert await diagnostics_of(client, templates / "pod.yaml", template) == []
    logged = [m.message for m in client.log_messages if "Helm" in m.message]
    assert len(logged) == 1


async def test_a_broken_document_gets_its_parse_error(
    client: LanguageClient, project: Path
) -> None:
    broken = POD.replace("  hostNetwork: true\n", "  hostNetwork: [true\n")
    diagnostics = await diagnostics_of(client, project / "pod.yaml", broken)
    assert len(diagnostics) == 1
    (error,) = diagnostics
    assert error.severity == types.DiagnosticSeverity.Error
    assert 5 <= error.range.start.line <= 7
    assert error.code is None


async def test_json_is_inspected(client: LanguageClient, project: Path) -> None:
    text = (
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},\n'
        ' "spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "a:1"}]}}\n'
    )
    found = by_check(await diagnostics_of(client, project / "pod.json", text, "json"))
    assert found["hostNetworkSet"].range.start == types.Position(line=1, character=10)


async def test_settings_change_severity_and_checks(client: LanguageClient, project: Path) -> None:
    uri = await opened(client, project / "pod.yaml", POD)
    settings = {
        "kinspect": {"failOn": "warning", "checks": ["hostNetworkSet", "livenessProbeMissing"]}
    }
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    found = by_check(await published(client, uri))
    assert set(found) == {"hostNetworkSet", "livenessProbeMissing"}
    assert found["livenessProbeMissing"].severity == types.DiagnosticSeverity.Error


async def test_a_bad_configuration_is_one_diagnostic(client: LanguageClient, project: Path) -> None:
    (project / ".kinspect.yaml").write_text("skip-checks: [noSuchCheck]\n")
    (diagnostic,) = await diagnostics_of(client, project / "pod.yaml", POD)
    assert "noSuchCheck" in diagnostic.message
    assert diagnostic.range.start == types.Position(line=0, character=0)


SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


async def test_cross_resource_checks_see_the_directorys_manifests(
    client: LanguageClient, project: Path
) -> None:
    """The Service's pods are in another file: saved on disk, or an open buffer as edited."""
    service = project / "service.yaml"
    assert "serviceSelectorMatchesNothing" in by_check(
        await diagnostics_of(client, service, SERVICE)
    )
    deployment = POD.replace("  name: web\n", "  name: web\n  labels: {app: web}\n")
    (project / "pod.yaml").write_text(deployment, encoding="utf-8")
    uri = service.as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=SERVICE + "\n")],
        )
    )
    assert "serviceSelectorMatchesNothing" not in by_check(await published(client, uri))
    relabelled = deployment.replace("{app: web}", "{app: other}")
    await opened(client, project / "pod.yaml", relabelled)  # unsaved: the buffer counts
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=SERVICE)],
        )
    )
    assert "serviceSelectorMatchesNothing" in by_check(await published(client, uri))
