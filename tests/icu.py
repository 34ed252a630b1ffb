"""A checker for ICU MessageFormat, as the Home Assistant frontend parses translated strings.

The frontend formats every config-flow, action and repair string with FormatJS
(`@formatjs/icu-messageformat-parser`). This follows that parser's rules for what the strings here can
contain: arguments `{name}`, `{name, number|date|time[, style]}`, `{name, plural|select|selectordinal,
key {message} ... other {message}}`, apostrophe quoting (`'{'` is a literal brace, `''` an apostrophe, a
lone apostrophe elsewhere is itself) and tags (`<b>...</b>`, refused here: none is meant to be used).
Anything else raises IcuError with FormatJS's error name, e.g. MALFORMED_ARGUMENT for `{"key": 1}`.
"""

import re
from dataclasses import dataclass, field

_IDENTIFIER = re.compile(r"[^\W]+", re.UNICODE)
_SIMPLE_TYPES = ("number", "date", "time")
_CHOICE_TYPES = ("plural", "select", "selectordinal")


class IcuError(ValueError):
    """The frontend would show "Translation error: <kind>" instead of the string."""

    def __init__(self, kind: str, text: str, position: int) -> None:
        super().__init__(f"{kind} at {position} in {text!r}")
        self.kind = kind


@dataclass
class _Parser:
    text: str
    position: int = 0
    arguments: set[str] = field(default_factory=set)

    def fail(self, kind: str) -> IcuError:
        return IcuError(kind, self.text, self.position)

    def peek(self, offset: int = 0) -> str:
        index = self.position + offset
        return self.text[index] if index < len(self.text) else ""

    def message(self, depth: int, in_plural: bool) -> None:
        """Literal text and arguments, up to the `}` that closes this level (or the end at level 0)."""
        while self.position < len(self.text):
            char = self.peek()
            if char == "'":
                self.quote(in_plural)
            elif char == "{":
                self.position += 1
                self.argument()
            elif char == "}":
                if depth == 0:
                    raise self.fail("UNMATCHED_CLOSING_BRACE")
                return
            elif char == "<" and re.match(r"</?[A-Za-z]", self.text[self.position : self.position + 3]):
                raise self.fail("UNCLOSED_TAG")
            else:
                self.position += 1
        if depth > 0:
            raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")

    def quote(self, in_plural: bool) -> None:
        following = self.peek(1)
        if following == "'":
            self.position += 2
        elif following in ("{", "}") or (in_plural and following == "#"):
            end = self.text.find("'", self.position + 1)
            # An unclosed quote runs to the end of the message, as FormatJS reads it.
            self.position = len(self.text) if end == -1 else end + 1
        else:
            self.position += 1

    def spaces(self) -> None:
        while self.peek().isspace():
            self.position += 1

    def identifier(self, kind: str) -> str:
        match = _IDENTIFIER.match(self.text, self.position)
        if match is None:
            raise self.fail(kind)
        self.position = match.end()
        return match.group()

    def argument(self) -> None:
        self.spaces()
        if self.peek() == "}":
            raise self.fail("EMPTY_ARGUMENT")
        self.arguments.add(self.identifier("MALFORMED_ARGUMENT"))
        self.spaces()
        if self.peek() == "}":
            self.position += 1
            return
        if self.peek() != ",":
            raise self.fail("MALFORMED_ARGUMENT")
        self.position += 1
        self.spaces()
        kind = self.identifier("EXPECT_ARGUMENT_TYPE")
        self.spaces()
        if kind in _SIMPLE_TYPES:
            if self.peek() == ",":
                end = self.text.find("}", self.position)
                if end == -1:
                    raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")
                self.position = end
            if self.peek() != "}":
                raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")
            self.position += 1
        elif kind in _CHOICE_TYPES:
            self.options(kind)
        else:
            raise self.fail("INVALID_ARGUMENT_TYPE")

    def options(self, kind: str) -> None:
        if self.peek() != ",":
            raise self.fail(
                "EXPECT_SELECT_ARGUMENT_OPTIONS" if kind == "select" else "EXPECT_PLURAL_ARGUMENT_OPTIONS"
            )
        self.position += 1
        self.spaces()
        if kind != "select" and self.text.startswith("offset:", self.position):
            self.position += len("offset:")
            self.spaces()
            if not self.identifier("INVALID_PLURAL_ARGUMENT_OFFSET_VALUE").isdigit():
                raise self.fail("INVALID_PLURAL_ARGUMENT_OFFSET_VALUE")
            self.spaces()
        selectors: set[str] = set()
        while self.peek() not in ("}", ""):
            selector = ("=" if self.peek() == "=" else "") + self.identifier_after_equals()
            if selector in selectors:
                raise self.fail("DUPLICATE_SELECT_ARGUMENT_SELECTOR")
            selectors.add(selector)
            self.spaces()
            if self.peek() != "{":
                raise self.fail("EXPECT_SELECT_ARGUMENT_SELECTOR_FRAGMENT")
            self.position += 1
            self.message(depth=1, in_plural=kind != "select")
            self.position += 1  # the option's closing brace
            self.spaces()
        if "other" not in selectors:
            raise self.fail("MISSING_OTHER_CLAUSE")
        if self.peek() != "}":
            raise self.fail("EXPECT_ARGUMENT_CLOSING_BRACE")
        self.position += 1

    def identifier_after_equals(self) -> str:
        if self.peek() == "=":
            self.position += 1
        return self.identifier("INVALID_SELECT_ARGUMENT_SELECTOR")


def parse(text: str) -> set[str]:
    """The argument names of an ICU message; raises IcuError where FormatJS would refuse it."""
    parser = _Parser(text)
    parser.message(depth=0, in_plural=False)
    return parser.arguments
