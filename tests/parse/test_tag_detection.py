"""Finding where a text may hold a tag (kinspect.parse.tags), checked against libyaml's events.

The prefilter builds every document that may hold a tag, and the loader looks for the
non-specific tag `!` only where one may be: a tag the detector misses could hide a value
(`!!binary`), so every tag libyaml sees must be found. A `!` that only follows a space
inside text (`a != b`, CEL rules in CustomResourceDefinitions) is no tag: those documents
must stay maskable.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _ruamel_yaml import CParser
from ruamel.yaml.error import YAMLError

from kinspect.inputs.sources import collect
from kinspect.parse.split import split_documents
from kinspect.parse.tags import has_non_specific_tag, has_tag, holds_tag
from tests.conftest import CORPUS


def parser_sees_tag(text: str) -> bool:
    """Whether libyaml reports an explicit tag on any node of the text."""
    parser = CParser(text)
    try:
        while parser.check_event():
            if getattr(parser.get_event(), "tag", None) is not None:
                return True
        return False
    finally:
        parser.dispose()


TAGGED = [
    "!!str x",
    "k: !!str x",
    "k: &a !!str x",
    "k: &a\n  !!str x",
    "- !x y",
    "- - !x y",
    "? !x k\n: v",
    "[a, !x b]",
    "[a,!x b]",
    "[&a !x b]",
    "{a: !x b}",
    "{a: b, !x c: d}",
    "--- !!map\na: b",
    "k:\n  !!binary eA==",
    "k:\t!x y",
    "k: ! x",
    "k: !<tag:yaml.org,2002:str> x",
    "a: b\r!!str k: v",
    "list:\n- !!binary U1lTX0FETUlO\n",
]

UNTAGGED = [
    "a: x != y",
    'rule: "!has(self.a) || !has(self.b)"',
    "rule: '!has(self.a)'",
    "- rule: has(self.a) || !has(self.b)",
    'cmd: if [ "$(ping)" != "PONG" ]; then exit 1; fi',
    "k: wow!",
    "url: http://x/!y",
    "k: &a x != y",
]


@pytest.mark.parametrize("text", TAGGED)
def test_every_tag_position_is_found(text: str) -> None:
    assert parser_sees_tag(text)
    assert has_tag(text) and holds_tag(text)


@pytest.mark.parametrize("text", UNTAGGED)
def test_a_bang_inside_text_is_no_tag(text: str) -> None:
    assert not parser_sees_tag(text)
    assert not has_tag(text) and not holds_tag(text)


@pytest.mark.parametrize("text", ["rule: x ||\n  !has(self.a)", "script: |\n  ! -e /f && exit 1"])
def test_only_the_parser_tells_a_line_starting_with_a_bang(text: str) -> None:
    """Continuation lines may start with `!`: the text cannot tell, libyaml decides."""
    assert has_tag(text) and not holds_tag(text)


def test_a_text_the_c_parser_refuses_counts_as_tagged() -> None:
    """Old libyaml refuses `:` in flow plain scalars: such a text is built, so the loader
    (whose pure-Python parser reads it) finds its tags or reports its error."""
    text = "k: [{image: nginx:1.25}]\nrule: x ||\n  !has(self.a)"
    with pytest.raises(YAMLError):
        parser_sees_tag(text)
    assert holds_tag(text)


def test_the_non_specific_tag_is_found_where_it_stands_alone() -> None:
    assert has_non_specific_tag("k: ! 123")
    assert has_non_specific_tag("[a, !]")
    assert not has_non_specific_tag("k: !!str 123")
    assert not has_non_specific_tag("k: x != 123")


def corpus_documents() -> list[tuple[Path, str]]:
    if not CORPUS.is_dir():
        pytest.skip(f"no corpus at {CORPUS}")
    sources, _ = collect([str(CORPUS)], render=False)
    documents = []
    for source in sources:
        if source.path is None:
            continue
        text = source.path.read_bytes().decode("utf-8", errors="replace")
        documents += [(source.path, chunk.text) for chunk in split_documents(text)]
    return documents


def test_no_tag_of_the_corpus_is_missed_and_cel_rules_are_not_tags() -> None:
    missed, bangs, kept_maskable = [], 0, 0
    for path, text in corpus_documents():
        try:
            seen = parser_sees_tag(text)
        except Exception:  # not YAML libyaml reads: the loader reports it, not this test
            continue
        if seen and not has_tag(text):
            missed.append(path)
        if not seen and " !" in text:
            bangs += 1
            kept_maskable += not holds_tag(text)
    assert missed == []
    assert bangs > 0 and kept_maskable == bangs  # the corpus has such texts: none is a tag
