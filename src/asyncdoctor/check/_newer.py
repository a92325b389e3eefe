"""Syntax of a newer Python: which version a file that does not parse needs, and why.

When the running Python cannot parse a file, :func:`newer_syntax` looks for
the constructs that later versions added:

* 3.12: ``type`` statements and type parameters (PEP 695), f-strings that
  reuse their quotes or hold backslashes, comments or line breaks in their
  replacement fields (PEP 701);
* 3.13: type parameter defaults (PEP 696);
* 3.14: t-strings (PEP 750), ``except A, B:`` without parentheses (PEP 758);
* 3.15: unpacking in comprehensions (PEP 798), ``lazy import`` (PEP 810).

They are found by a small lexer that knows the newest string syntax, on the
tokens of each statement, with the restrictions the newest parser applies
(``except A, B as e:``, ``[**x for x in y]`` or a t-string next to a plain
string are errors everywhere).  Then the guess is confirmed: the constructs
the running Python lacks are rewritten into older equivalents (line numbers
kept) and the file is parsed again.  The guess stands only when that gets the
parse past the line where it failed, so a genuine syntax error stays a
syntax error.

This module is imported only when a file fails to parse.
"""

from __future__ import annotations

import ast
import bisect
import keyword
import re
import sys
import warnings
from collections.abc import Iterator

__all__ = ["NewerSyntax", "newer_syntax"]


class NewerSyntax:
    """A construct that needs ``version``, at 1-based ``line`` and character ``column``."""

    __slots__ = ("column", "line", "version", "what")

    def __init__(self, version: tuple[int, int], what: str, line: int, column: int) -> None:
        self.version = version
        self.what = what
        self.line = line
        self.column = column

    def message(self, running: tuple[int, int]) -> str:
        return (
            f"uses Python {_dotted(self.version)} syntax ({self.what}); "
            f"asyncdoctor is running on {_dotted(running)}"
        )

    def __repr__(self) -> str:
        return f"NewerSyntax({self.version!r}, {self.what!r}, {self.line}, {self.column})"


def newer_syntax(
    text: str, error: SyntaxError, running: tuple[int, int] | None = None
) -> NewerSyntax | None:
    """What newer syntax made ``text`` fail to parse with ``error``, or None for a real error.

    ``running`` is the running Python's version (tests pretend otherwise).
    """
    version = running or (sys.version_info[0], sys.version_info[1])
    if not error.lineno:
        return None  # nothing to compare the second parse with: no guess
    try:
        lexer = _Lexer(text)
        lexer.run()
    except _Unlexable:
        return None
    found = [f for f in _features(lexer) if f.version > version]
    if not found:
        return None
    rewritten = _rewrite(text, found)
    failed_at = error.lineno
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(rewritten)
    except SyntaxError as again:
        if (again.lineno or 0) <= failed_at:
            return None
    except (ValueError, MemoryError, RecursionError):
        return None
    needed = max(found, key=lambda f: (f.version, -f.start))
    line, column = lexer.position(needed.start)
    return NewerSyntax(needed.version, needed.what, line, column)


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


# --- the lexer ----------------------------------------------------------------------------------


class _Unlexable(Exception):
    """Not Python of any version (an unterminated string, a stray ``}`` in an f-string...)."""


_NAME = 0
_OP = 1
_STRING = 2
_NEWLINE = 3
_OTHER = 4

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\f]+)
    |(?P<cont>\\(?:\r\n|\r|\n))
    |(?P<comment>\#[^\r\n]*)
    |(?P<newline>\r\n|\r|\n)
    |(?P<name>[^\W\d]\w*)
    |(?P<number>0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
    |(?P<quote>['"])
    |(?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|==|!=|<=|>=|\.\.\.|[-+*/%@&|^~<>=.,:;!()\[\]{}])
    """,
    re.VERBOSE,
)
_STRING_PREFIXES = frozenset(
    {"r", "u", "b", "br", "rb", "f", "fr", "rf", "t", "tr", "rt"}
)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(")]}")


class _Token:
    __slots__ = ("end", "kind", "prefix", "start", "text")

    def __init__(self, kind: int, start: int, end: int, text: str, prefix: str = "") -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.text = text
        self.prefix = prefix  # lower-cased, for strings


class _Field:
    """The replacement field of an f-/t-string being lexed: what it holds that 3.11 refuses."""

    __slots__ = ("delimiter", "reasons")

    def __init__(self, delimiter: str, reasons: set[str]) -> None:
        self.delimiter = delimiter
        self.reasons = reasons


class _Lexer:
    """Tokens enough to recognise statements and strings, with PEP 701 f-strings.

    ``tokens`` holds the top-level tokens; ``inner`` the tokens inside the
    replacement fields of f- and t-strings; ``reasons`` what each f-string
    (by start offset) holds that Python 3.11 refuses; ``containers`` the
    f-strings holding a t-string or such an f-string.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[_Token] = []
        self.inner: list[_Token] = []
        self.reasons: dict[int, set[str]] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def run(self) -> None:
        self._lex(self.tokens, None)

    def _lex(self, out: list[_Token], field: _Field | None) -> str:
        """Tokens up to the end (or, in a replacement field, up to its ``!``, ``:`` or ``}``)."""
        text = self.text
        depth = 0
        while self.pos < len(text):
            match = _TOKEN.match(text, self.pos)
            if match is None:  # a character Python has no use for ($, ?, a stray backslash)
                out.append(_Token(_OTHER, self.pos, self.pos + 1, text[self.pos]))
                self.pos += 1
                continue
            kind = match.lastgroup
            start, end = match.span()
            if kind == "space":
                self.pos = end
            elif kind == "cont" or kind == "comment" or kind == "newline":
                self.pos = end
                if field is not None:
                    if kind != "newline":
                        field.reasons.add("backslash" if kind == "cont" else "comment")
                    elif len(field.delimiter) == 1:  # triple-quoted ones always allowed it
                        field.reasons.add("newline")
                elif kind == "newline" and depth == 0:
                    out.append(_Token(_NEWLINE, start, end, ""))
            elif kind == "name":
                word = match.group()
                self.pos = end
                if end < len(text) and text[end] in "'\"" and word.lower() in _STRING_PREFIXES:
                    out.append(self._string(start, word.lower(), field))
                else:
                    out.append(_Token(_NAME, start, end, word))
            elif kind == "quote":
                out.append(self._string(start, "", field))
            elif kind == "op":
                op = match.group()
                if field is not None and depth == 0:
                    if op == "}" or op[0] == ":" or (op == "!" and not text.startswith("!=", start)):
                        self.pos = start
                        return op[0]  # f"{x:=10}" is x formatted with "=10"
                    if op == "=":  # the debugging specifier, f"{x=}"
                        self.pos = end
                        continue
                if op in _OPEN:
                    depth += 1
                elif op in _CLOSE:
                    depth = max(depth - 1, 0)
                self.pos = end
                out.append(_Token(_OP, start, end, op))
            else:
                self.pos = end
                out.append(_Token(_OTHER, start, end, match.group()))
        if field is not None:
            raise _Unlexable("unterminated replacement field")
        return ""

    def _string(self, start: int, prefix: str, field: _Field | None) -> _Token:
        text = self.text
        quote_at = self.pos if not prefix else start + len(prefix)
        quote = text[quote_at]
        delimiter = quote * 3 if text.startswith(quote * 3, quote_at) else quote
        self.pos = quote_at + len(delimiter)
        reasons: set[str] = set()
        if "f" in prefix or "t" in prefix:
            self._template(delimiter, "r" in prefix, reasons, nesting=0)
        else:
            self._plain(delimiter)
        token = _Token(_STRING, start, self.pos, text[start : self.pos], prefix)
        if field is not None:
            # What 3.11 refuses inside a replacement field: a string that ends the
            # enclosing one, a backslash anywhere (escapes included), an f-string that
            # is itself refused.
            body = text[quote_at : self.pos]
            if quote in field.delimiter and (len(field.delimiter) == 1 or delimiter == field.delimiter):
                field.reasons.add("quotes")
            if "\\" in body:
                field.reasons.add("backslash")
            field.reasons.update(reasons)
            if "t" in prefix:
                field.reasons.add("t-string")
        if reasons:
            self.reasons[start] = reasons
        return token

    def _plain(self, delimiter: str) -> None:
        text = self.text
        pos = self.pos
        while True:
            if pos >= len(text):
                raise _Unlexable("unterminated string")
            char = text[pos]
            if char == "\\":
                pos += 2
            elif text.startswith(delimiter, pos):
                self.pos = pos + len(delimiter)
                return
            elif char in "\r\n" and len(delimiter) == 1:
                raise _Unlexable("unterminated string")
            else:
                pos += 1

    def _template(self, delimiter: str, raw: bool, reasons: set[str], nesting: int) -> None:
        """The rest of an f- or t-string (``nesting`` > 0: a format spec, ended by ``}``)."""
        text = self.text
        while True:
            if self.pos >= len(text):
                raise _Unlexable("unterminated f-string")
            char = text[self.pos]
            if text.startswith(delimiter, self.pos):
                if nesting > 0:
                    raise _Unlexable("unterminated replacement field")
                self.pos += len(delimiter)
                return
            if char == "\\":
                if not raw and text.startswith("N{", self.pos + 1):  # "\N{EM DASH}" is no field
                    end = text.find("}", self.pos)
                    self.pos = end + 1 if end > 0 else len(text)
                elif text[self.pos + 1 : self.pos + 2] in ("{", "}"):
                    self.pos += 1  # f"\{x}": a backslash, then a field
                else:
                    self.pos += 2
            elif char in "\r\n" and len(delimiter) == 1:
                raise _Unlexable("unterminated f-string")
            elif char == "{":
                if nesting == 0 and text.startswith("{{", self.pos):
                    self.pos += 2
                    continue
                self.pos += 1
                self._replacement_field(delimiter, raw, reasons, nesting)
            elif char == "}":
                if nesting > 0:
                    return  # the end of the field this format spec belongs to
                if not text.startswith("}}", self.pos):
                    raise _Unlexable("single '}' in an f-string")
                self.pos += 2
            else:
                self.pos += 1

    def _replacement_field(self, delimiter: str, raw: bool, reasons: set[str], nesting: int) -> None:
        field = _Field(delimiter, reasons)
        stop = self._lex(self.inner, field)
        text = self.text
        if stop == "!":
            match = re.compile(r"!\s*[^\W\d]\w*\s*").match(text, self.pos)
            if match is None:
                raise _Unlexable("bad conversion")
            self.pos = match.end()
            stop = text[self.pos : self.pos + 1]
        if stop == ":":
            self.pos += 1
            if nesting >= 1:
                reasons.add("nesting")  # 3.11 allows one level of fields in a format spec
            self._template(delimiter, raw, reasons, nesting + 1)
            stop = text[self.pos : self.pos + 1]
        if stop != "}":
            raise _Unlexable("unterminated replacement field")
        self.pos += 1


# --- the constructs -----------------------------------------------------------------------------


class _Feature:
    __slots__ = ("edits", "start", "version", "what")

    def __init__(
        self,
        version: tuple[int, int],
        what: str,
        start: int,
        edits: list[tuple[int, int, str]],
    ) -> None:
        self.version = version
        self.what = what
        self.start = start
        self.edits = edits  # (start, end, replacement) that say the same in older syntax


_PEP701 = {
    "quotes": "an f-string reusing its quotes inside a replacement field",
    "backslash": "a backslash inside an f-string replacement field",
    "comment": "a comment inside an f-string replacement field",
    "newline": "a line break inside a single-quoted f-string's replacement field",
    "nesting": "f-string replacement fields nested more than two deep",
}
_KEYWORDS = frozenset(keyword.kwlist)


def _features(lexer: _Lexer) -> list[_Feature]:
    found: list[_Feature] = []
    tokens = lexer.tokens
    closing = _matching(tokens)
    for index in _statement_starts(tokens):
        found.extend(_statement_features(lexer, tokens, index, closing))
    for index, token in enumerate(tokens):
        if token.kind == _NAME and token.text in ("def", "class"):
            found.extend(_type_params(lexer, tokens, index, closing))
    for stream in (tokens, lexer.inner):
        found.extend(_comprehension_unpacking(stream, _matching(stream)))
    found.extend(_strings(lexer))
    return found


def _matching(tokens: list[_Token]) -> dict[int, int]:
    """Index of each opening bracket -> index of its closing one."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind != _OP:
            continue
        if token.text in _OPEN:
            stack.append(index)
        elif token.text in _CLOSE and stack and _OPEN[tokens[stack[-1]].text] == token.text:
            pairs[stack.pop()] = index
    return pairs


def _statement_starts(tokens: list[_Token]) -> list[int]:
    starts = []
    at_start = True
    depth = 0
    for index, token in enumerate(tokens):
        if token.kind == _NEWLINE:
            at_start = True
            continue
        if at_start and depth == 0:
            starts.append(index)
        at_start = False
        if token.kind == _OP:
            if token.text in _OPEN:
                depth += 1
            elif token.text in _CLOSE:
                depth = max(depth - 1, 0)
            elif token.text == ";" and depth == 0:
                at_start = True
    return starts


def _token(tokens: list[_Token], index: int) -> _Token | None:
    return tokens[index] if 0 <= index < len(tokens) else None


def _is(token: _Token | None, kind: int, *texts: str) -> bool:
    return token is not None and token.kind == kind and (not texts or token.text in texts)


def _statement_features(
    lexer: _Lexer, tokens: list[_Token], index: int, closing: dict[int, int]
) -> list[_Feature]:
    first = tokens[index]
    after = _token(tokens, index + 1)
    if first.kind != _NAME:
        return []
    if first.text == "type" and _is(after, _NAME) and after is not None and after.text not in _KEYWORDS:
        return _type_statement(lexer, tokens, index, closing)
    if first.text == "lazy" and _is(after, _NAME, "import", "from"):
        if _is(after, _NAME, "from") and _is(_token(tokens, index + 2), _NAME, "__future__"):
            return []  # an error in every version
        edit = (first.start, after.start if after is not None else first.end, "")
        return [_Feature((3, 15), "a `lazy import`", first.start, [edit])]
    if first.text == "except":
        return _except_without_parentheses(tokens, index)
    return []


def _type_statement(
    lexer: _Lexer, tokens: list[_Token], index: int, closing: dict[int, int]
) -> list[_Feature]:
    keyword, name = tokens[index], tokens[index + 1]
    nxt = _token(tokens, index + 2)
    edits = [(keyword.start, name.start, "")]
    version = (3, 12)
    if _is(nxt, _OP, "["):
        end = closing.get(index + 2)
        if end is None or not _is(_token(tokens, end + 1), _OP, "="):
            return []
        if _has_default(tokens, index + 2, end):
            version = (3, 13)
        # ``X[T: int = str]`` is no subscript: keep the brackets (and the lines) around a 0.
        edits.append(_blank_inside(lexer.text, tokens[index + 2].end, tokens[end].start))
    elif not _is(nxt, _OP, "="):
        return []
    what = "a type parameter default, `[T = int]`" if version == (3, 13) else "a `type` statement"
    return [_Feature(version, what, keyword.start, edits)]


def _blank_inside(text: str, start: int, end: int) -> tuple[int, int, str]:
    inside = "".join(c if c in "\r\n" else " " for c in text[start:end])
    return (start, end, "0" + inside)


def _outside_brackets(tokens: list[_Token]) -> Iterator[_Token]:
    """The tokens not inside a bracket that ``tokens`` opens (nor the brackets themselves)."""
    depth = 0
    for token in tokens:
        if token.kind == _OP and token.text in _OPEN:
            depth += 1
        elif token.kind == _OP and token.text in _CLOSE:
            depth -= 1
        elif depth == 0:
            yield token


def _has_default(tokens: list[_Token], open_index: int, close_index: int) -> bool:
    """Whether the type parameters between the brackets give a default (``T = int``)."""
    return any(
        _is(token, _OP, "=") for token in _outside_brackets(tokens[open_index + 1 : close_index])
    )


def _type_params(
    lexer: _Lexer, tokens: list[_Token], index: int, closing: dict[int, int]
) -> list[_Feature]:
    name = _token(tokens, index + 1)
    bracket = _token(tokens, index + 2)
    if not (_is(name, _NAME) and _is(bracket, _OP, "[")):
        return []
    assert bracket is not None
    end = closing.get(index + 2)
    if end is None:
        return []
    after = _token(tokens, end + 1)
    text = lexer.text
    breaks = "".join(re.findall(r"\r\n|\r|\n", text[bracket.start : tokens[end].end]))
    edits = [(bracket.start, tokens[end].end, "")]
    if _is(after, _OP, "("):
        assert after is not None
        edits.append((after.end, after.end, breaks))  # the lines the brackets held
    elif tokens[index].text == "class" and _is(after, _OP, ":"):
        edits = [(bracket.start, tokens[end].end, f"({breaks})")]
    else:
        return []
    if _has_default(tokens, index + 2, end):
        return [_Feature((3, 13), "a type parameter default, `[T = int]`", bracket.start, edits)]
    example = "function, `def f[T]()`" if tokens[index].text == "def" else "class, `class C[T]`"
    return [_Feature((3, 12), f"a generic {example}", bracket.start, edits)]


def _except_without_parentheses(tokens: list[_Token], index: int) -> list[_Feature]:
    position = index + 1
    if _is(_token(tokens, position), _OP, "*"):
        position += 1
    first = _token(tokens, position)
    if first is None or _is(first, _OP, ":"):
        return []
    comma = False
    for token in _outside_brackets(tokens[position:]):
        if token.kind == _NEWLINE:
            return []
        if _is(token, _NAME, "as"):
            return []  # ``except A, B as e:`` is an error in every version
        if _is(token, _OP, ","):
            comma = True
        elif _is(token, _OP, ":"):
            if not comma:
                return []
            edits = [(first.start, first.start, "("), (token.start, token.start, ")")]
            what = "`except A, B:` without parentheses"
            return [_Feature((3, 14), what, tokens[index].start, edits)]
    return []


def _comprehension_unpacking(tokens: list[_Token], closing: dict[int, int]) -> list[_Feature]:
    found = []
    for index, token in enumerate(tokens):
        star = _token(tokens, index + 1)
        if not (token.kind == _OP and token.text in _OPEN and _is(star, _OP, "*", "**")):
            continue
        assert star is not None
        end = closing.get(index)
        if end is None:
            continue
        before = _token(tokens, index - 1)
        subscript = token.text == "[" and (
            (before is not None and before.kind in (_NAME, _STRING) and before.text not in _KEYWORDS)
            or _is(before, _OP, ")", "]", "}")
        )
        if subscript or (star.text == "**" and token.text != "{"):
            continue  # ``a[*x for ...]``, ``[**x for ...]``: errors in every version
        for inner in _outside_brackets(tokens[index + 2 : end]):
            if _is(inner, _OP, ",", ":"):
                break  # a display (``[*a, *b]``) or a dict key: not a comprehension
            if _is(inner, _NAME, "for"):
                edit = (star.start, star.end, " " * len(star.text))
                if star.text == "**":
                    what = "dict unpacking in a comprehension, `{**d for d in ds}`"
                else:
                    what = "unpacking in a comprehension, `[*x for x in xs]`"
                found.append(_Feature((3, 15), what, token.start, [edit]))
                break
    return found


def _strings(lexer: _Lexer) -> list[_Feature]:
    """t-strings, and f-strings only PEP 701 allows, each replaced by a plain string."""
    found = []
    groups = _concatenations(lexer.tokens) + _concatenations(lexer.inner)
    for group in groups:
        templates = ["t" in token.prefix for token in group]
        mixed = any(templates) and not all(templates)  # an error in every version
        for token in group:
            reasons = lexer.reasons.get(token.start, set())
            edits = [(token.start, token.end, _plain_string(token.text))]
            if ("t" in token.prefix or "t-string" in reasons) and not mixed:
                found.append(_Feature((3, 14), 'a t-string, `t"..."`', token.start, edits))
            elif "f" in token.prefix and reasons - {"t-string"}:
                reason = sorted(reasons - {"t-string"})[0]
                found.append(_Feature((3, 12), _PEP701[reason], token.start, edits))
    return found


def _concatenations(tokens: list[_Token]) -> list[list[_Token]]:
    groups: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        if token.kind == _STRING:
            current.append(token)
            continue
        if current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _plain_string(text: str) -> str:
    breaks = "".join(re.findall(r"\r\n|\r|\n", text))
    return f"'''{breaks}'''" if breaks else "''"


def _rewrite(text: str, features: list[_Feature]) -> str:
    """``text`` with every feature's edits applied, outermost first where they overlap."""
    edits = sorted(
        (edit for feature in features for edit in feature.edits),
        key=lambda edit: (edit[0], edit[1] - edit[0]),
    )
    kept: list[tuple[int, int, str]] = []
    covered = -1
    for start, end, replacement in edits:
        if start < covered:
            continue  # inside a span already replaced (a construct inside a replaced f-string)
        kept.append((start, end, replacement))
        covered = max(covered, end)
    parts = []
    last = 0
    for start, end, replacement in kept:
        parts.append(text[last:start])
        parts.append(replacement)
        last = end
    parts.append(text[last:])
    return "".join(parts)
