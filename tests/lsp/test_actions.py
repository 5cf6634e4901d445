"""Code actions and hovers of `kinspect lsp`: the edits `kinspect fix` makes, ignore comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.conftest import run_cli
from tests.lsp.test_diagnostics import POD, by_check, opened, published
from tests.support.lsp import apply_edits

pytestmark = pytest.mark.asyncio


async def actions_at(
    client: LanguageClient, uri: str, line: int, character: int = 4
) -> list[types.CodeAction]:
    at = types.Position(line=line, character=character)
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=at, end=at),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


def edited(text: str, action: types.CodeAction, uri: str) -> str:
    assert action.edit is not None and action.edit.changes is not None
    return apply_edits(text, list(action.edit.changes[uri]))


async def changed(client: LanguageClient, uri: str, text: str, version: int) -> dict[str, object]:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return dict(by_check(await published(client, uri)))


async def test_a_findings_fix_is_the_edit_kinspect_fix_makes(
    client: LanguageClient, project: Path
) -> None:
    uri = await opened(client, project / "pod.yaml", POD)
    actions = {a.title.split(":")[0]: a for a in await actions_at(client, uri, 5)}
    fix = actions["Fix hostNetworkSet"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    fixed = edited(POD, fix, uri)
    assert fixed == POD.replace("  hostNetwork: true\n", "")
    alone = run_cli("fix", "--checks", "hostNetworkSet", "-", stdin=POD, cwd=project)
    assert alone.stdout == fixed
    after = await changed(client, uri, fixed, 2)
    assert "hostNetworkSet" not in after and "tagNotSpecified" in after


async def test_ignore_this_check_on_this_line(client: LanguageClient, project: Path) -> None:
    uri = await opened(client, project / "pod.yaml", POD)
    actions = {a.title: a for a in await actions_at(client, uri, 5)}
    ignore = actions["Ignore hostNetworkSet on this line (kinspect)"]
    text = edited(POD, ignore, uri)
    assert "  # kinspect: ignore[hostNetworkSet]\n  hostNetwork: true\n" in text
    after = await changed(client, uri, text, 2)
    assert "hostNetworkSet" not in after and "tagNotSpecified" in after


async def test_fix_all_in_the_file_is_kinspect_fix(client: LanguageClient, project: Path) -> None:
    uri = await opened(client, project / "pod.yaml", POD)
    (fix_all,) = [a for a in await actions_at(client, uri, 8, 10) if a.title.startswith("Fix all")]
    whole = run_cli("fix", "-", stdin=POD, cwd=project)
    assert edited(POD, fix_all, uri) == whole.stdout != POD
    only = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(
                diagnostics=[], only=[types.CodeActionKind.SourceFixAll]
            ),
        )
    )
    assert [a.kind for a in only or [] if isinstance(a, types.CodeAction)] == [
        types.CodeActionKind.SourceFixAll
    ]


async def test_json_gets_fixes_but_no_comment(client: LanguageClient, project: Path) -> None:
    text = (
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},\n'
        ' "spec": {"hostNetwork": true, "containers": [{"name": "a", "image": "a:1"}]}}\n'
    )
    uri = project.joinpath("pod.json").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="json", version=1, text=text)
        )
    )
    await published(client, uri)
    titles = [a.title for a in await actions_at(client, uri, 1, 12)]
    assert any(t.startswith("Fix hostNetworkSet") for t in titles)
    assert not any(t.startswith("Ignore") for t in titles)


async def hovered(client: LanguageClient, uri: str, line: int, character: int) -> str | None:
    shown = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    if shown is None:
        return None
    assert isinstance(shown.contents, types.MarkupContent)
    return shown.contents.value


async def test_hover_explains_the_check(client: LanguageClient, project: Path) -> None:
    uri = await opened(client, project / "pod.yaml", POD)
    shown = await hovered(client, uri, 5, 6)
    assert shown is not None and "`hostNetworkSet`" in shown
    assert "*Risk:*" in shown and "```yaml" in shown
    assert await hovered(client, uri, 1, 2) is None
    settings = {"kinspect": {"lang": "zh"}}
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))
    await published(client, uri)
    chinese = await hovered(client, uri, 5, 6)
    assert chinese is not None and "*风险:*" in chinese
