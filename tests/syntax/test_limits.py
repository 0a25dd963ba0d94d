"""Bad input never crashes the front end: every limit gives its diagnostic, quickly, both
through `parse_bytes` and through `check_files` on a real file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from twinlang.api import check_files
from twinlang.diagnostics import lookup
from twinlang.syntax import codes, parse_bytes, parse_text
from twinlang.syntax.parser import MAX_TREE_DEPTH
from twinlang.syntax.source import MAX_NESTING, MAX_NUMBER_LENGTH, MAX_SOURCE_BYTES, MAX_STRING

SECONDS = 5.0


@pytest.fixture
def check(tmp_path, monkeypatch):
    """Run bytes through parse_bytes and check_files; return both lists of diagnostics."""
    monkeypatch.chdir(tmp_path)

    def run(data: bytes, name: str = "input.twin"):
        start = time.perf_counter()
        _module, parsed, _source = parse_bytes(data, name)
        Path(name).write_bytes(data)
        report = check_files([Path(name)])
        elapsed = time.perf_counter() - start
        assert elapsed < 2 * SECONDS, f"took {elapsed:.1f} s"
        for d in [*parsed, *report.diagnostics]:
            assert lookup(d.code) is not None, d.code
        return parsed, report.diagnostics

    return run


def codes_of(diags) -> list[str]:
    return [d.code for d in diags]


def test_empty_file_is_clean(check):
    assert check(b"") == ([], [])


def test_comments_only_is_clean(check):
    assert check(b"# a comment\n\n   # another\r\n# last, no newline") == ([], [])


def test_binary_data(check):
    parsed, checked = check(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert codes_of(parsed) == codes_of(checked) == [codes.BINARY_FILE.code]


def test_nul_byte_points_at_its_line(check):
    parsed, checked = check(b'role a "A"\r\nrole b "B"\nro\x00le c\n')
    (d,) = parsed
    assert d.code == codes.BINARY_FILE.code
    assert (d.span.line, d.span.column) == (3, 3)
    assert codes_of(checked) == [codes.BINARY_FILE.code]


def test_invalid_utf8_points_at_its_line(check):
    parsed, checked = check('role a "Ω"\r\nrole b "B"\nrole c "Op'.encode() + b"\xe9rateur\"\n")
    (d,) = parsed
    assert d.code == codes.INVALID_UTF8.code
    assert (d.span.line, d.span.column) == (3, 11)
    assert "0xe9" in d.message and "byte offset 34" in d.message
    assert codes_of(checked) == [codes.INVALID_UTF8.code]


def test_lone_surrogates_in_text_are_invalid_utf8():
    _module, diags = parse_text('role a "A"\nrole b "\ud800"\n')
    (d,) = diags
    assert d.code == codes.INVALID_UTF8.code and d.span.line == 2


def test_random_bytes_without_nul(check):
    data = bytes(b for b in range(1, 256)) * 4
    parsed, checked = check(data)
    assert codes_of(parsed) == codes_of(checked) == [codes.INVALID_UTF8.code]


def test_file_over_the_size_limit_is_refused_fast(check):
    data = b"# padding\n" * (MAX_SOURCE_BYTES // 10 + 1)
    start = time.perf_counter()
    parsed, checked = check(data)
    assert time.perf_counter() - start < 1.0
    assert codes_of(parsed) == codes_of(checked) == [codes.FILE_TOO_LARGE.code]
    assert f"{len(data):,} bytes" in parsed[0].message


def test_file_at_the_size_limit_is_read():
    line = b"#" + b"x" * 1022 + b"\n"
    data = line * (MAX_SOURCE_BYTES // len(line))
    assert MAX_SOURCE_BYTES - len(line) < len(data) <= MAX_SOURCE_BYTES
    _module, diags, source = parse_bytes(data, "x.twin")
    assert diags == [] and source is not None


def test_ten_thousand_nested_braces(check):
    parsed, checked = check(b"kind K " + b"{" * 10_000 + b"}" * 10_000 + b"\n")
    (d,) = parsed
    assert d.code == codes.NESTING_TOO_DEEP.code
    assert d.message == f"blocks are nested more than {MAX_NESTING} levels deep"
    assert d.span.column == 8 + MAX_NESTING
    assert codes_of(checked) == [codes.NESTING_TOO_DEEP.code]


def test_braces_in_strings_and_comments_do_not_count(check):
    deep = "{" * (MAX_NESTING + 10)
    text = f'role a "{deep}" # {deep}\n'.encode()
    assert check(text) == ([], [])


def test_ten_thousand_nested_parentheses(check):
    cond = "(" * 10_000 + "A.x > 1 bar" + ")" * 10_000
    parsed, checked = check(f"procedure p {{\n  step s: open A expect {cond}\n}}\n".encode())
    (d,) = parsed
    assert d.code == codes.NESTING_TOO_DEEP.code
    assert d.message == f"parentheses are nested more than {MAX_NESTING} levels deep"
    assert d.span.line == 2
    assert codes_of(checked) == [codes.NESTING_TOO_DEEP.code]


def test_nesting_at_the_limit_is_accepted():
    cond = "(" * MAX_NESTING + "A" + ")" * MAX_NESTING
    _module, diags = parse_text(f"procedure p {{\n  step s: open A expect {cond}\n}}\n")
    assert diags == []


@pytest.mark.parametrize("chain", [
    " and ".join(["A.x"] * 2000),
    " or ".join(["A.x"] * 2000),
    "not " * 2000 + "A.x",
    " and ".join(["(A.x or B.y)"] * 1000),
])
def test_long_condition_chains_are_refused_not_crashing(check, chain):
    parsed, _checked = check(f"procedure p {{\n  step s: open A expect {chain}\n}}\n".encode())
    (d,) = parsed
    assert d.code == codes.NESTING_TOO_DEEP.code
    assert str(MAX_TREE_DEPTH) in d.message and d.span.line == 2


def test_long_module_path_is_refused_not_crashing(check):
    parsed, _checked = check(("use " + ".".join(["a"] * 3000) + ".*\n").encode())
    assert codes_of(parsed) == [codes.NESTING_TOO_DEEP.code]


def test_moderate_chains_are_fine():
    chain = " and ".join(["A.x"] * 100)
    _module, diags = parse_text(f"procedure p {{\n  step s: open A expect {chain}\n}}\n")
    assert diags == []


@pytest.mark.parametrize("text", [
    "reactivity acids " + "9" * 5000 + "\n",
    "equipment E is K { p = " + "9" * 5000 + " m }\n",
    "fault f on V { trigger random probability 0.1 seed " + "9" * 5000 + " }\n",
    "procedure p {\n  on alarm A -> goto s up to " + "9" * 5000 + " times\n}\n",
    "equipment E is K { p = 1." + "0" * 5000 + " m }\n",
])
def test_overlong_numbers_are_refused(check, text):
    parsed, checked = check(text.encode())
    (d,) = parsed
    assert d.code == codes.NUMBER_TOO_LONG.code
    assert f"over the limit of {MAX_NUMBER_LENGTH}" in d.message
    assert codes.NUMBER_TOO_LONG.code in codes_of(checked)


def test_number_at_the_length_limit_is_read():
    module, diags = parse_text("equipment E is K { p = " + "1" * MAX_NUMBER_LENGTH + " m }\n")
    assert diags == [] and module.items[0].params[0].value.number > 1e99


def test_infinite_values_parse_and_are_left_to_the_checker(check):
    # `1e999999` is a valid literal whose value does not fit a float: the parser keeps it
    # (as inf), and the semantic checks must reject it; the point here is: no crash.
    module, diags = parse_text("equipment E is K { p = 1e999999 m }\n")
    assert diags == [] and module.items[0].params[0].value.number == float("inf")
    _parsed, checked = check(b"equipment E is K { p = 1e999999 m; q = -1e999999 m }\n")
    assert checked  # at least the unknown kind, and no exception


def test_very_long_lines(check):
    text = ('role a "A"; ' * 5_000 + "\n").encode()
    parsed, _checked = check(text)
    assert parsed == []
    text = ("# " + "x" * 1_000_000 + "\nrole a @\n").encode()
    parsed, _checked = check(text)
    assert [(d.code, d.span.line) for d in parsed] == [(codes.UNEXPECTED_CHARACTER.code, 2)]
    text = ('role a "A" role b "B"' + " " * 500_000 + "@\n").encode()
    parsed, _checked = check(text)
    assert codes_of(parsed) == [codes.MISSING_SEPARATOR.code]


def test_string_over_the_length_limit(check):
    parsed, checked = check(b'role a "' + b"x" * 100_000 + b'"\n')
    (d,) = parsed
    assert d.code == codes.STRING_TOO_LONG.code
    assert f"{100_000:,} characters" in d.message and f"{MAX_STRING:,}" in d.message
    assert codes_of(checked) == [codes.STRING_TOO_LONG.code]


@pytest.mark.parametrize("escape", [r"\u{D800}", r"\u{dbff}", r"\u{DFFF}"])
def test_surrogate_escapes_are_invalid(check, escape):
    parsed, checked = check(f'role a "x {escape} y"\n'.encode())
    (d,) = parsed
    assert d.code == codes.INVALID_ESCAPE.code and d.span.column == 11
    assert codes_of(checked) == [codes.INVALID_ESCAPE.code]


def test_control_characters(check):
    parsed, _checked = check(b'role a "A"\nrole b \x07"B"\n')
    (d,) = parsed
    assert d.code == codes.UNEXPECTED_CHARACTER.code and "U+0007" in d.message
    # inside strings and comments they are text
    assert check(b'role a "bell \x07 esc \x1b"  # \x01\x02\n')[0] == []


def test_unicode_line_separators_are_not_line_breaks(check):
    parsed, _checked = check('role a "A"\u2028role b\n'.encode())
    (d,) = parsed
    assert d.span.line == 1 and "U+2028" in d.message
