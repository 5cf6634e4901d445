"""The loader and the sources under hostile input: exact errors, bounded work, plain data."""

from __future__ import annotations

import codecs
import subprocess
import sys
import time

import pytest

from kinspect.engine.run import Settings, TextOrigin, inspect_text
from kinspect.errors import InputProblem, KinspectError
from kinspect.inputs.sources import decode, printable_name
from kinspect.parse.limits import COMPOSER_SAFE_DEPTH, Limits, needs_scan, parse_size
from kinspect.parse.loader import check_json, load_documents
from kinspect.ruleset.rules import load_rules
from tests.conftest import FIXTURES

RULES = tuple(r for r in load_rules() if r.id in ("hostNetworkSet", "runAsPrivileged"))


def error_of(text: str, limits: Limits | None = None) -> KinspectError:
    with pytest.raises(KinspectError) as info:
        list(load_documents(text, limits or Limits()))
    return info.value


def test_anchors_and_merge_keys_are_plain_data() -> None:
    text = "base: &b {cpu: 1, memory: 2}\nuse:\n  <<: *b\n  memory: 3\nagain: *b\n"
    (document,) = load_documents(text)
    assert document.data == {
        "base": {"cpu": 1, "memory": 2},
        "use": {"cpu": 1, "memory": 3},
        "again": {"cpu": 1, "memory": 2},
    }
    assert document.duplicates == []


def test_a_shared_block_reports_at_the_anchor() -> None:
    text = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: a
          image: a:1
          securityContext: &shared
            privileged: true
        - name: b
          image: b:1
          securityContext: *shared
"""
    outcome = inspect_text("shared.yaml", text, Settings(RULES))
    lines = sorted(r.line for r in outcome.results if r.check == "runAsPrivileged")
    # Both containers fail, and both findings point into the anchored block (line 11).
    assert lines == [11, 11]


def test_alias_bomb_is_refused_in_bounded_time() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 30):  # 10**30 nodes once expanded
        refs = ", ".join([f"*a{level - 1}" if level > 1 else "*a"] * 10)
        levels.append(f"a{level}: &a{level} [{refs}]")
    started = time.perf_counter()
    error = error_of("\n".join(levels) + "\n")
    assert time.perf_counter() - started < 2
    assert error.message == "document has more than 1,000,000 nodes once aliases are expanded"
    assert error.line == 6  # where the level that passes a million uses its aliases


def test_alias_expansion_counts_against_the_node_limit() -> None:
    text = "x: &x [1, 2, 3]\ny: [*x, *x]\n"  # 1 + (1 + 4) + (1 + 1 + 2 * 4) nodes
    assert len(list(load_documents(text, Limits(max_nodes=16)))) == 1
    error = error_of(text, Limits(max_nodes=15))
    assert error.message.startswith("document has more than 15 nodes")
    assert (error.line, error.column) == (2, 4)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [*x]\n",
        "a: &x {b: *x}\n",
        "a: &x [[1, *x]]\n",
        "&x {<<: *x}\n",
    ],
)
def test_self_referencing_aliases_are_an_error(text: str) -> None:
    error = error_of(text)
    assert error.message == "recursive YAML alias"
    assert error.line == 1


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "- " * 10_000 + "x",
        "? " * 10_000 + "x",
        "".join(" " * i + "k:\n" for i in range(2_000)),
    ],
    ids=["flow-seq", "flow-map", "block-seq", "complex-keys", "indented"],
)
def test_deep_nesting_is_an_error_not_a_crash(text: str) -> None:
    error = error_of(text)
    assert error.message == "nested deeper than the limit of 100 levels"
    assert error.line is not None


def test_the_c_parser_never_sees_more_than_its_safe_depth() -> None:
    """Without the scan, ruamel's C composer overflows the C stack near 28,000 levels."""
    assert needs_scan("[" * (COMPOSER_SAFE_DEPTH // 2 + 1))
    assert needs_scan("- " * (COMPOSER_SAFE_DEPTH // 4) + "x")
    assert not needs_scan("a: [b, {c: []}]\n" * 200)
    deep = "[" * 100_000 + "]" * 100_000  # well past the crash: the process must survive
    code = (
        "from kinspect.parse.loader import load_documents as load\n"
        "try: list(load(input()))\nexcept Exception as e: print(e)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], input=deep, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == "nested deeper than the limit of 100 levels"


def test_large_files_are_scanned_before_composing() -> None:
    text = "- a\n" * 300_000  # 1.2 MB: one document of 300,001 nodes
    assert needs_scan(text)
    error = error_of(text, Limits(max_nodes=100_000))
    assert (error.line, error.column) == (100_000, 3)


def test_documents_before_a_broken_one_are_kept() -> None:
    text = "a: 1\n---\nb: 2\n---\n" + "[" * 5000 + "]" * 5000 + "\n---\nc: 3\n"
    documents = []
    with pytest.raises(KinspectError) as info:
        documents.extend(load_documents(text))
    assert [d.data for d in documents] == [{"a": 1}, {"b": 2}]
    assert info.value.line == 5


def test_duplicate_keys_keep_the_last_value_and_both_lines() -> None:
    (document,) = load_documents("spec:\n  hostNetwork: false\n  x: 1\n  hostNetwork: true\n")
    assert document.data == {"spec": {"x": 1, "hostNetwork": True}}
    (duplicate,) = document.duplicates
    assert (duplicate.path, duplicate.key) == (("spec",), "hostNetwork")
    assert (duplicate.first_line, duplicate.line, duplicate.column) == (2, 4, 3)


def test_keys_are_strings_as_the_api_server_sees_them() -> None:
    (document,) = load_documents("1: a\ny: b\n~: c\n2.5: d\n")
    assert document.data == {"1": "a", "true": "b", "null": "c", "2.5": "d"}
    (document,) = load_documents('1: a\n"1": b\n')
    assert [d.key for d in document.duplicates] == ["1"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0x_", "0x_"), ("9" * 5000, "9" * 5000), ("0o17", 15), ("1_000", 1000), ("0755", 493)],
)
def test_odd_numbers_never_crash(value: str, expected: object) -> None:
    (document,) = load_documents(f"v: {value}\n")
    assert document.data == {"v": expected}


def test_tags_never_build_objects() -> None:
    text = (FIXTURES / "hostile" / "python-tag.yaml").read_text()
    (document,) = load_documents(text)
    assert document.data["metadata"]["name"] == ["touch /tmp/kinspect-pwned"]
    # `!!python/name:os.system` is a tag on an empty scalar; `y` is YAML 1.1's true.
    assert document.data["data"] == {"x": "", "true": {"a": 1}}


def test_control_characters_are_located() -> None:
    error = error_of("é: 1\nb: '\x07'\n")
    assert (error.line, error.column) == (2, 5)
    assert error.message == "invalid YAML: character U+0007 is not allowed"


def test_deep_json_is_one_nesting_error() -> None:
    outcome = inspect_text(
        "deep.json", "[" * 50_000 + "]" * 50_000, Settings(RULES), TextOrigin(is_file=True)
    )
    assert [p.render() for p in outcome.problems] == [
        "deep.json:1:101: nested deeper than the limit of 100 levels (hint: real manifests nest"
        " fewer than 40 levels; raise --max-depth if this one is real)"
    ]


def test_check_json() -> None:
    assert check_json('{"a": 1}\n{"b": [1, 2]}\n') is None  # a stream, as kubectl reads it
    error = check_json('{\n  "a": 1,\n}')
    assert error is not None
    assert (error.line, error.column) == (3, 1)
    yaml_named_json = check_json("a: 1\n")
    assert yaml_named_json is not None and "name it .yaml" in (yaml_named_json.hint or "")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (codecs.BOM_UTF8 + b"a: 1", "a: 1"),
        (codecs.BOM_UTF16_LE + "a: é".encode("utf-16-le"), "a: é"),
        (codecs.BOM_UTF16_BE + "a: é".encode("utf-16-be"), "a: é"),
        (codecs.BOM_UTF32_LE + "a: 1".encode("utf-32-le"), "a: 1"),
    ],
)
def test_byte_order_marks(data: bytes, text: str) -> None:
    assert decode(data) == text


@pytest.mark.parametrize(
    ("data", "message", "line", "column"),
    [
        (b"a: 1\nb: caf\xe9\n", "invalid UTF-8 (byte 0xe9)", 2, 7),
        (b"a: \xc3\xa9\xc3\n", "invalid UTF-8 (byte 0xc3)", 1, 5),
        (b"\x00\x01\x02binary", "binary file, not YAML or JSON (NUL byte)", 1, None),
        (codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", "invalid UTF-16-LE (byte 0x00)", 1, 2),
    ],
)
def test_undecodable_bytes(data: bytes, message: str, line: int, column: int | None) -> None:
    with pytest.raises(KinspectError) as info:
        decode(data)
    assert (info.value.message, info.value.line, info.value.column) == (message, line, column)


def test_names_and_problems_stay_on_one_line() -> None:
    assert printable_name("a\nb\x1b.yaml") == "a\\x0ab\\x1b.yaml"
    assert printable_name(b"caf\xe9.yaml".decode("utf-8", "surrogateescape")) == "caf\\xe9.yaml"
    rendered = InputProblem("x.yaml", "bad\nthing\r", 1, 2, "no\x1b[2J").render()
    assert rendered == "x.yaml:1:2: bad\\x0athing\\x0d (hint: no\\x1b[2J)"


def test_parse_size() -> None:
    assert [parse_size(s) for s in ("1", "2K", "3MiB", "1G")] == [1, 2048, 3 << 20, 1 << 30]
