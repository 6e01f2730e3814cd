"""CloudWatch's composite AlarmRule language: parsed, checked and evaluated for the emulator.

The grammar, as the CloudWatch user guide (Composite alarms) and PutCompositeAlarm describe
it: ``ALARM(x)``, ``OK(x)``, ``INSUFFICIENT_DATA(x)``, ``TRUE``, ``FALSE``, ``AND``, ``OR``,
``NOT``, parentheses, and ``AT_LEAST(M, STATE_CONDITION, (a, b, ...))`` where M is a number of
alarms or a percentage (``50%``) and STATE_CONDITION is a state or ``NOT`` a state. Alarms are
named by name or ARN, quoted (``"`` escaped with a backslash) or not (then without spaces,
parentheses or commas). NOT binds tighter than AND, AND tighter than OR.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

STATES = ("ALARM", "OK", "INSUFFICIENT_DATA")
_TOKEN = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|[(),]|[^\s(),\"]+)")


class RuleError(ValueError):
    """A rule CloudWatch does not parse; the message follows ``Error in AlarmRule``."""


@dataclass
class Rule:
    """A parsed rule: evaluate it over the states of the alarms it names."""

    evaluate: Callable[[Callable[[str], str]], bool]
    alarms: list[str] = field(default_factory=list)


def alarm_name(reference: str) -> str:
    """The alarm a reference names: an ARN's last part, or the name itself."""
    if reference.startswith("arn:") and ":alarm:" in reference:
        return reference.split(":alarm:", 1)[1]
    return reference


def parse(rule: str) -> Rule:
    tokens: list[tuple[str, int]] = []
    position = 0
    while position < len(rule):
        match = _TOKEN.match(rule, position)
        if match is None or not match.group(1):
            if rule[position:].strip():
                raise RuleError(f"Unsupported token at char {position + 1}")
            break
        tokens.append((match.group(1), match.start(1) + 1))
        position = match.end()
    parser = _Parser(tokens)
    evaluate = parser.expression()
    if parser.index < len(tokens):
        token, at = tokens[parser.index]
        raise RuleError(f"Unsupported token '{token}' at char {at}")
    return Rule(evaluate, parser.alarms)


Evaluator = Callable[[Callable[[str], str]], bool]


class _Parser:
    def __init__(self, tokens: list[tuple[str, int]]) -> None:
        self.tokens = tokens
        self.index = 0
        self.alarms: list[str] = []

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        if self.index >= len(self.tokens):
            raise RuleError("Unexpected end of the rule")
        token, at = self.tokens[self.index]
        if expected is not None and token != expected:
            raise RuleError(f"Unsupported token '{token}' at char {at}: expected '{expected}'")
        self.index += 1
        return token

    def expression(self) -> Evaluator:
        terms = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            terms.append(self.conjunction())
        return lambda state: any(term(state) for term in terms)

    def conjunction(self) -> Evaluator:
        terms = [self.unary()]
        while self.peek() == "AND":
            self.take()
            terms.append(self.unary())
        return lambda state: all(term(state) for term in terms)

    def unary(self) -> Evaluator:
        if self.peek() == "NOT":
            self.take()
            inner = self.unary()
            return lambda state: not inner(state)
        return self.primary()

    def primary(self) -> Evaluator:
        at = self.tokens[self.index][1] if self.index < len(self.tokens) else 0
        token = self.take()
        if token in ("TRUE", "FALSE"):
            value = token == "TRUE"
            return lambda state: value
        if token == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if token in STATES:
            self.take("(")
            name = self.alarm()
            self.take(")")
            return lambda state: state(name) == token
        if token == "AT_LEAST":
            return self.at_least()
        raise RuleError(f"Unsupported token '{token}' at char {at}")

    def alarm(self) -> str:
        token = self.take()
        if token in ("(", ")", ","):
            raise RuleError(f"Unsupported token '{token}': expected an alarm name or ARN")
        if token.startswith('"'):
            token = token[1:-1].replace('\\"', '"')
        name = alarm_name(token)
        self.alarms.append(name)
        return name

    def at_least(self) -> Evaluator:
        self.take("(")
        threshold = self.take()
        match = re.fullmatch(r"(\d+)(%?)", threshold.strip('"'))
        if match is None:
            raise RuleError(f"Unsupported AT_LEAST threshold '{threshold}'")
        number, percent = int(match.group(1)), bool(match.group(2))
        if (percent and not 1 <= number <= 100) or number < 1:
            raise RuleError(f"Unsupported AT_LEAST threshold '{threshold}'")
        self.take(",")
        negated = self.peek() == "NOT"
        if negated:
            self.take()
        wanted = self.take()
        if wanted not in STATES:
            raise RuleError(f"Unsupported AT_LEAST state '{wanted}'")
        self.take(",")
        self.take("(")
        names = [self.alarm()]
        while self.peek() == ",":
            self.take()
            names.append(self.alarm())
        self.take(")")
        self.take(")")
        needed = math.ceil(len(names) * number / 100) if percent else number

        def evaluate(state: Callable[[str], str]) -> bool:
            hits = sum((state(name) == wanted) != negated for name in names)
            return hits >= needed

        return evaluate
