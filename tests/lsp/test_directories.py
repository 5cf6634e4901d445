"""Kustomizations and charts inspected on save (`kubectl kustomize`, the Helm SDK), their
findings published on the files they map to, through a real client over stdio."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import FIXTURES
from tests.lsp.test_diagnostics import by_check, diagnostics_of, opened

pytestmark = pytest.mark.asyncio
BUILD_SECONDS = 90
"""Room for a build on a busy machine (one takes about a second)."""


def copied(fixture: Path, project: Path) -> Path:
    """A copy of a fixture tree in the project, free to be edited."""
    target = project / fixture.name
    shutil.copytree(fixture, target)
    return target


def save(client: LanguageClient, path: Path) -> None:
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(path.as_uri()))
    )


def line_of(path: Path, text: str) -> int:
    """0-based number of the first line of `path` holding `text`."""
    return next(n for n, line in enumerate(path.read_text().splitlines()) if text in line)


def on(client: LanguageClient, path: Path) -> list[types.Diagnostic]:
    """The diagnostics last published for `path`."""
    return list(client.diagnostics.get(path.as_uri(), []))


async def until(client: LanguageClient, holds: Callable[[], bool]) -> None:
    """Wait for published diagnostics until `holds()` is true."""

    async def wait() -> None:
        while not holds():
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    try:
        await asyncio.wait_for(wait(), BUILD_SECONDS)
    except TimeoutError:
        shown = {uri: codes(found) for uri, found in client.diagnostics.items()}
        logs = [m.message for m in client.log_messages]
        raise AssertionError(f"not in {BUILD_SECONDS} s; published: {shown} {logs}") from None


async def next_publish(
    client: LanguageClient, path: Path, seconds: float = BUILD_SECONDS
) -> list[types.Diagnostic]:
    """The next diagnostics published for `path`."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == path.as_uri():
                return list(params.diagnostics)

    return await asyncio.wait_for(wait(), seconds)


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


async def test_a_saved_patch_builds_its_overlay_and_fixes_clear(
    client: LanguageClient, project: Path
) -> None:
    shop = copied(FIXTURES / "kustomize" / "shop", project)
    patch, web = shop / "overlays" / "prod" / "host-network.yaml", shop / "base" / "web.yaml"
    save(client, patch)
    await until(client, lambda: bool(on(client, patch) and on(client, web)))
    (host,) = on(client, patch)
    assert host.code == "hostNetworkSet"
    assert host.range.start == types.Position(line=line_of(patch, "hostNetwork:"), character=6)
    assert host.message.endswith(f"(build: {(shop / 'overlays' / 'prod').resolve()})")
    privileged = by_check(on(client, web))["runAsPrivileged"]
    assert privileged.range.start == types.Position(line=line_of(web, "privileged:"), character=12)
    assert privileged.severity == types.DiagnosticSeverity.Error
    assert "runAsRootAllowed" in codes(on(client, shop / "base" / "worker.yaml"))

    patch.write_text(patch.read_text().replace("hostNetwork: true", "hostNetwork: false"))
    save(client, patch)
    await until(client, lambda: on(client, patch) == [])
    assert "runAsPrivileged" in codes(on(client, web))  # the base is as it was

    # The base builds alone and within the overlay built before: both are inspected anew.
    web.write_text(web.read_text().replace("privileged: true", "privileged: false"))
    save(client, web)
    await until(client, lambda: "runAsPrivileged" not in codes(on(client, web)))
    assert "cpuLimitsMissing" in codes(on(client, web))
    assert codes(on(client, web)).count("cpuLimitsMissing") == 1  # each place once


async def test_the_projects_configuration_applies_to_builds(
    client: LanguageClient, project: Path
) -> None:
    """As for `kinspect lint DIR`, the `.kinspect.yaml` found from the directory applies."""
    (project / ".kinspect.yaml").write_text("skip-checks: [runAsPrivileged]\n")
    shop = copied(FIXTURES / "kustomize" / "shop", project)
    patch, web = shop / "overlays" / "prod" / "host-network.yaml", shop / "base" / "web.yaml"
    save(client, patch)
    await until(client, lambda: bool(on(client, patch) and on(client, web)))
    assert "runAsPrivileged" not in codes(on(client, web))
    assert "privilegeEscalationAllowed" in codes(on(client, web))


async def test_saves_in_a_burst_make_one_build(client: LanguageClient, project: Path) -> None:
    shop = copied(FIXTURES / "kustomize" / "shop", project)
    web = shop / "base" / "web.yaml"
    for _ in range(5):  # "save all", or an editor that saves on every focus change
        save(client, shop / "overlays" / "prod" / "host-network.yaml")
    assert "runAsPrivileged" in codes(await next_publish(client, web))
    with pytest.raises(TimeoutError):
        await next_publish(client, web, seconds=5)


async def test_an_open_resource_merges_its_buffer_and_its_build(
    client: LanguageClient, project: Path
) -> None:
    """The buffer's findings (its unsaved text) and the build's (the saved files) together:
    each check at each place once, neither set wiping the other."""
    shop = copied(FIXTURES / "kustomize" / "shop", project)
    web = shop / "base" / "web.yaml"
    original = web.read_text()
    web.write_text(
        original.replace("      containers:\n", "      hostIPC: true\n      containers:\n")
    )
    typed = original.replace("      containers:\n", "      hostPID: true\n      containers:\n")
    typed_codes = codes(
        await diagnostics_of(client, web, typed)
    )  # unsaved: hostPID; on disk: hostIPC
    assert "hostPIDSet" in typed_codes and "hostIPCSet" not in typed_codes
    uri = web.as_uri()

    save(client, shop / "overlays" / "prod" / "kustomization.yaml")
    await until(client, lambda: "hostIPCSet" in codes(on(client, web)))
    merged = on(client, web)
    assert codes(merged).count("runAsPrivileged") == 1
    assert "(build: " not in by_check(merged)["runAsPrivileged"].message  # the buffer's
    assert "(build: " not in by_check(merged)["hostPIDSet"].message
    assert "(build: " in by_check(merged)["hostIPCSet"].message

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=web.read_text())],
        )
    )
    changed = codes(await next_publish(client, web))  # the buffer inspected anew
    assert changed.count("hostIPCSet") == changed.count("runAsPrivileged") == 1
    assert "hostPIDSet" not in changed

    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await until(client, lambda: all("(build: " in d.message for d in on(client, web)))
    assert {"hostIPCSet", "runAsPrivileged"} <= set(codes(on(client, web)))  # the build's stay


async def test_a_patch_is_inspected_through_its_build_only(
    client: LanguageClient, project: Path
) -> None:
    """A kustomize patch is a partial object: no findings as typed (a missing selector or
    image is the base's), the build's on save; the log says so once."""
    shop = copied(FIXTURES / "kustomize" / "shop", project)
    patch = shop / "overlays" / "prod" / "host-network.yaml"
    assert await diagnostics_of(client, patch, patch.read_text()) == []
    other = shop / "overlays" / "prod" / "second.yaml"  # a second patch: the log says it once
    kustomization = shop / "overlays" / "prod" / "kustomization.yaml"
    entry = "  - path: host-network.yaml\n"
    kustomization.write_text(
        kustomization.read_text().replace(entry, entry + "  - path: second.yaml\n")
    )
    other.write_text(patch.read_text().replace("hostNetwork", "hostPID"))
    assert await diagnostics_of(client, other, other.read_text()) == []
    assert "hostNetworkSet" in codes(
        await diagnostics_of(client, shop / "plain.yaml", patch.read_text())
    )
    save(client, patch)
    await until(
        client,
        lambda: "hostNetworkSet" in codes(on(client, patch)) and bool(on(client, other)),
    )
    assert codes(on(client, other)) == ["hostPIDSet"]
    assert all("(build: " in d.message for d in on(client, patch))
    assert "missingRequiredField" not in codes(on(client, patch))
    noted = [m for m in client.log_messages if "kustomize patches are not inspected" in m.message]
    assert len(noted) == 1


async def test_a_chart_is_rendered_on_save(client: LanguageClient, project: Path) -> None:
    chart = copied(FIXTURES / "helm" / "webapp", project)
    workers = chart / "templates" / "workers.yaml"
    statefulset = chart / "charts" / "cache" / "templates" / "statefulset.yaml"
    assert await opened(client, workers, workers.read_text()) and on(client, workers) == []
    save(client, workers)
    await until(client, lambda: bool(on(client, statefulset) and on(client, workers)))
    privileged = by_check(on(client, statefulset))["runAsPrivileged"]
    line = line_of(statefulset, "privileged:")
    assert privileged.range.start == types.Position(line=line, character=12)
    assert "linuxHardening" in codes(on(client, workers))  # the open template's, merged

    statefulset.write_text(statefulset.read_text().replace("privileged: true", "privileged: false"))
    save(client, statefulset)  # in the subchart: its parent chart is rendered
    await until(client, lambda: "runAsPrivileged" not in codes(on(client, statefulset)))


async def test_a_chart_that_cannot_render_is_said_once(
    client: LanguageClient, project: Path
) -> None:
    chart = project / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 0.1.0\n")
    pod = chart / "templates" / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  hostPID: true\n"
        "  containers:\n"
        '    - {name: web, image: {{ required "image is required" .Values.image }}}\n'
    )

    def said() -> list[str]:
        return [m.message for m in client.log_messages if "image is required" in m.message]

    async def logged() -> None:
        while not said():
            await client.wait_for_notification(types.WINDOW_LOG_MESSAGE)

    save(client, pod)
    await asyncio.wait_for(logged(), BUILD_SECONDS)
    save(client, pod)
    await asyncio.sleep(5)  # the same failure again: nothing new to say
    (chart / "values.yaml").write_text("image: nginx:1.27\n")
    save(client, chart / "values.yaml")
    await until(client, lambda: "hostPIDSet" in codes(on(client, pod)))
    assert len(said()) == 1
