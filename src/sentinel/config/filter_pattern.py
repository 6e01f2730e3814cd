"""CloudWatch Logs filter patterns, parsed enough to refuse at validate time what AWS refuses.

Three forms (the CloudWatch Logs "Filter pattern syntax" page): terms (``ERROR``, ``"quoted
phrase"``, ``?A ?B`` for any of, ``-term`` to exclude, ``%regex%``), JSON
(``{ $.level = "ERROR" && ($.ms > 100 || $.user IS NULL) }``) and space-delimited
(``[ip, user, ..., status = 5*, bytes > 1000]``). The parser checks structure, not meaning.
"""

from __future__ import annotations

import re

MAX_LENGTH = 1024  # FilterPattern's maximum in botocore's logs model

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<regex>%(?:[^%\\]|\\.)*%)
    | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\}|\[|\]|,)
    | (?P<word>[^\s"(){}\[\],=!<>&|]+)
    )""",
    re.VERBOSE,
)
_SELECTOR = re.compile(r"^\$(\.[A-Za-z0-9_@\-*]+|\[\d+\])+$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$|^\.\.\.$")
_COMPARE = ("=", "!=", "<", ">", "<=", ">=")


class FilterPatternError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"invalid filter pattern at column {column}: {message}")
        self.column = column


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                start = position + len(text[position:]) - len(text[position:].lstrip())
                what = "a quote that is not closed" if text[start] in '"%' else "unexpected"
                raise FilterPatternError(f"{what} {text[start]!r}", start + 1)
            kind = match.lastgroup or ""
            start = match.start(kind)
            self.tokens.append((kind, match.group(kind), start + 1))
            position = match.end()
        self.at = 0
        self.end = len(text) + 1

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, what: str = "more") -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise FilterPatternError(f"expected {what}, found the end", self.end)
        self.at += 1
        return token

    def expect(self, literal: str) -> tuple[str, str, int]:
        token = self.take(repr(literal))
        if token[1] != literal:
            raise FilterPatternError(f"expected {literal!r}, found {token[1]!r}", token[2])
        return token

    def value(self) -> None:
        token = self.take("a value")
        if token[0] not in ("string", "word", "regex"):
            raise FilterPatternError(f"expected a value, found {token[1]!r}", token[2])

    # JSON: { or } with && || and parentheses, comparisons of $.selectors.
    def json(self) -> None:
        self.expect("{")
        self.json_or()
        self.expect("}")

    def json_or(self) -> None:
        self.json_atom()
        while (token := self.peek()) is not None and token[1] in ("&&", "||"):
            self.take()
            self.json_atom()

    def json_atom(self) -> None:
        token = self.take("a $.selector or '('")
        if token[1] == "(":
            self.json_or()
            self.expect(")")
            return
        if token[0] != "word" or not _SELECTOR.match(token[1]):
            raise FilterPatternError(
                f"expected a selector like $.level, found {token[1]!r}", token[2]
            )
        following = self.take("a comparison")
        if following[1] in _COMPARE:
            self.value()
        elif following[1].upper() == "IS":
            word = self.take("NULL, TRUE or FALSE")
            if word[1].upper() not in ("NULL", "TRUE", "FALSE"):
                raise FilterPatternError("expected NULL, TRUE or FALSE after IS", word[2])
        elif following[1].upper() == "NOT":
            word = self.take("EXISTS")
            if word[1].upper() != "EXISTS":
                raise FilterPatternError("expected EXISTS after NOT", word[2])
        else:
            raise FilterPatternError(
                f"expected =, !=, <, >, <=, >=, IS or NOT EXISTS, found {following[1]!r}",
                following[2],
            )

    # Space-delimited: [field, field = value && field != value, ...].
    def delimited(self) -> None:
        self.expect("[")
        while True:
            token = self.take("a field name")
            if token[0] != "word" or not _FIELD.match(token[1]):
                raise FilterPatternError(f"expected a field name, found {token[1]!r}", token[2])
            while (nxt := self.peek()) is not None and nxt[1] in _COMPARE:
                self.take()
                self.value()
                if (joint := self.peek()) is not None and joint[1] in ("&&", "||"):
                    self.take()
                    self.take("a field name")
            closing = self.take("',' or ']'")
            if closing[1] == "]":
                return
            if closing[1] != ",":
                raise FilterPatternError(f"expected ',' or ']', found {closing[1]!r}", closing[2])

    def terms(self) -> None:
        for kind, text, column in self.tokens:
            if kind == "op":
                raise FilterPatternError(
                    f"unexpected {text!r}: quote it, or write a JSON {{ }} or [ ] pattern",
                    column,
                )
            if kind == "word" and text in ("?", "-"):
                raise FilterPatternError(f"{text!r} needs a term after it", column)
        self.at = len(self.tokens)


def check_filter_pattern(text: str) -> str:
    """The pattern unchanged, or FilterPatternError naming the column (1-based) at fault."""
    if len(text) > MAX_LENGTH:
        raise FilterPatternError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    parser = _Parser(text)
    first = parser.peek()
    if first is None:
        return text
    if first[1] == "{":
        parser.json()
    elif first[1] == "[":
        parser.delimited()
    else:
        parser.terms()
    extra = parser.peek()
    if extra is not None:
        raise FilterPatternError(f"unexpected {extra[1]!r} after the pattern", extra[2])
    return text
