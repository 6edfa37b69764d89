"""A small, safe formula language for indicators: numbers, variable codes, + − * /, parentheses,
unary minus and the functions min, max, abs and round.

The text is read by our own tokenizer and recursive-descent parser into a tiny tree; nothing is
ever handed to `eval`, `exec` or Python's compiler. Limits on length, nesting, literal size and
node count keep hostile input cheap to reject. Every problem is a `FormulaError` with the
position (1-based) where it was found.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_NODES = 400
MAX_NUMBER_DIGITS = 20
FUNCTIONS: dict[str, tuple[int, int]] = {"min": (1, 20), "max": (1, 20), "abs": (1, 1), "round": (1, 2)}
VARIABLE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")

_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/(),×÷])"
)
_OPS_NORMAL = {"×": "*", "÷": "/"}


class FormulaError(ValueError):
    """The formula cannot be read or computed; `position` is 1-based (0 when not about a place)."""

    def __init__(self, message: str, position: int = 0) -> None:
        self.message = message
        self.position = position
        text = (
            message
            if not position
            else _("%(message)s (at character %(position)s)")
            % {
                "message": message,
                "position": position,
            }
        )
        super().__init__(text)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number" | "name" | "op" | "end"
    text: str
    position: int  # 1-based


# --- the tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal
    text: str


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Expr


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str  # one of + - * /
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]


Expr = Num | Var | Neg | BinOp | Call
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise FormulaError(
                _(
                    "The character %(char)s is not allowed; use numbers, variable codes, + - * / and parentheses."
                )
                % {"char": repr(text[pos])},
                pos + 1,
            )
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "number" and len(value.replace(".", "")) > MAX_NUMBER_DIGITS:
            raise FormulaError(_("The number is too long."), pos + 1)
        if kind == "op":
            value = _OPS_NORMAL.get(value, value)
        if kind != "space":
            tokens.append(_Token(kind, value, pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """expr := term (("+"|"-") term)* ; term := unary (("*"|"/") unary)* ;
    unary := "-" unary | "+" unary | atom ; atom := number | name | name "(" args ")" | "(" expr ")"."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.nodes = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise FormulaError(
                _("Expected %(expected)s but found %(found)s.")
                % {"expected": repr(text), "found": _describe(token)},
                token.position,
            )

    def node(self, expr: Expr, position: int) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormulaError(_("The formula is too long."), position)
        return expr

    def enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(_("The formula is nested too deeply."), position)

    def parse(self) -> Expr:
        expr = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise FormulaError(_("Unexpected %(found)s.") % {"found": _describe(token)}, token.position)
        return expr

    def expr(self) -> Expr:
        self.enter(self.peek().position)
        left = self.term()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            op = self.take()
            right = self.term()
            left = self.node(BinOp(op.text, left, right), op.position)
        self.depth -= 1
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.peek().text in ("*", "/") and self.peek().kind == "op":
            op = self.take()
            if self.peek().text == "*" and op.text == "*":
                raise FormulaError(_("Powers (**) are not allowed."), op.position)
            right = self.unary()
            left = self.node(BinOp(op.text, left, right), op.position)
        return left

    def unary(self) -> Expr:
        token = self.peek()
        if token.kind == "op" and token.text in ("-", "+"):
            self.take()
            self.enter(token.position)
            operand = self.unary()
            self.depth -= 1
            return self.node(Neg(operand), token.position) if token.text == "-" else operand
        return self.atom()

    def atom(self) -> Expr:
        token = self.take()
        if token.kind == "number":
            return self.node(Num(Decimal(token.text), token.text), token.position)
        if token.kind == "name":
            if self.peek().text == "(":
                return self.call(token)
            if token.text.lower() in FUNCTIONS:
                raise FormulaError(
                    _("%(name)s is a function: write it with parentheses, e.g. %(name)s(A, B).")
                    % {"name": token.text},
                    token.position,
                )
            if not VARIABLE_CODE.match(token.text):
                raise FormulaError(
                    _(
                        "%(name)s is not a valid variable code: start with a letter; use letters, digits and _."
                    )
                    % {"name": token.text[:50]},
                    token.position,
                )
            return self.node(Var(token.text), token.position)
        if token.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if token.kind == "end":
            raise FormulaError(_("The formula ends too early."), token.position)
        raise FormulaError(_("Unexpected %(found)s.") % {"found": _describe(token)}, token.position)

    def call(self, name_token: _Token) -> Expr:
        name = name_token.text.lower()
        if name not in FUNCTIONS:
            raise FormulaError(
                _("Unknown function %(name)s; the functions are %(functions)s.")
                % {"name": name_token.text[:50], "functions": ", ".join(FUNCTIONS)},
                name_token.position,
            )
        self.expect("(")
        self.enter(name_token.position)
        args: list[Expr] = []
        if self.peek().text != ")":
            args.append(self.expr())
            while self.peek().text == ",":
                self.take()
                args.append(self.expr())
        self.expect(")")
        self.depth -= 1
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            raise FormulaError(
                _("%(name)s takes between %(low)s and %(high)s values.")
                % {"name": name, "low": low, "high": high},
                name_token.position,
            )
        return self.node(Call(name, tuple(args)), name_token.position)


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return _("the end of the formula")
    return repr(token.text[:50])


# --- evaluation and display ------------------------------------------------------------------

_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emax=10**6, Emin=-(10**6))


def format_number(value: Decimal) -> str:
    """A plain rendering of a number: no exponent, at most six decimals, no trailing zeros."""
    if not value.is_finite():
        return str(value)
    if value.adjusted() > 30:
        return f"{value:.6E}"
    rounded = value.quantize(Decimal("0.000001"), context=decimal.Context(prec=60))
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Formula:
    """A parsed formula. `text` is the normalised form; `variables` the codes it uses."""

    source: str
    tree: Expr

    @property
    def variables(self) -> set[str]:
        found: set[str] = set()
        stack: list[Expr] = [self.tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Var):
                found.add(node.name)
            elif isinstance(node, Neg):
                stack.append(node.operand)
            elif isinstance(node, BinOp):
                stack.extend((node.left, node.right))
            elif isinstance(node, Call):
                stack.extend(node.args)
        return found

    @property
    def text(self) -> str:
        return _show(self.tree, None)

    def evaluate(self, values: Mapping[str, Decimal | int | str]) -> Decimal:
        """The value for the given variable values; FormulaError for a missing variable, a
        division by zero or a result out of range."""
        numbers: dict[str, Decimal] = {}
        for name in self.variables:
            if name not in values or values[name] is None:
                raise FormulaError(_("There is no value for the variable %(name)s.") % {"name": name})
            try:
                numbers[name] = Decimal(values[name])
            except (decimal.InvalidOperation, TypeError, ValueError) as exc:
                raise FormulaError(_("The value of %(name)s is not a number.") % {"name": name}) from exc
        try:
            with decimal.localcontext(_CONTEXT) as ctx:
                ctx.traps[decimal.Overflow] = True
                ctx.traps[decimal.InvalidOperation] = True
                ctx.traps[decimal.DivisionByZero] = True
                result = _eval(self.tree, numbers)
        except decimal.DivisionByZero as exc:
            raise FormulaError(_("Division by zero.")) from exc
        except (decimal.Overflow, decimal.InvalidOperation) as exc:
            raise FormulaError(_("The result is out of range.")) from exc
        return result

    def render(self, values: Mapping[str, Decimal | int | str | None]) -> str:
        """The formula with the numbers in place of the variables and, when it can be computed,
        its result: "(120 / 400) * 100 = 30"."""
        shown = {
            name: format_number(Decimal(values[name]))  # type: ignore[arg-type]
            for name in self.variables
            if values.get(name) is not None
        }
        body = _show(self.tree, shown)
        try:
            result = self.evaluate({k: v for k, v in values.items() if v is not None})
        except FormulaError as exc:
            return f"{body} → {exc.message}"
        return f"{body} = {format_number(result)}"

    def legend(self, names: Mapping[str, str], values: Mapping[str, Decimal | None]) -> list[str]:
        """One line per variable: "A = 120 (Viviendas con agua)"."""
        lines = []
        for code in sorted(self.variables):
            value = values.get(code)
            shown = format_number(value) if value is not None else "?"
            label = names.get(code, "")
            lines.append(f"{code} = {shown}" + (f" ({label})" if label else ""))
        return lines


def _eval(node: Expr, values: dict[str, Decimal]) -> Decimal:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return values[node.name]
    if isinstance(node, Neg):
        return -_eval(node.operand, values)
    if isinstance(node, BinOp):
        left = _eval(node.left, values)
        right = _eval(node.right, values)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            raise decimal.DivisionByZero
        return left / right
    args = [_eval(arg, values) for arg in node.args]
    if node.name == "min":
        return min(args)
    if node.name == "max":
        return max(args)
    if node.name == "abs":
        return abs(args[0])
    digits = int(args[1]) if len(args) > 1 else 0
    if not 0 <= digits <= 10:
        raise FormulaError(_("round takes between 0 and 10 decimals."))
    return args[0].quantize(Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP)


def _show(node: Expr, values: Mapping[str, str] | None, parent: int = 0, right_side: bool = False) -> str:
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Var):
        if values is None:
            return node.name
        return values.get(node.name, "?")
    if isinstance(node, Neg):
        inner = _show(node.operand, values, 3)
        return f"-{inner}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_show(a, values) for a in node.args)})"
    prec = _PRECEDENCE[node.op]
    left = _show(node.left, values, prec)
    right = _show(node.right, values, prec, right_side=True)
    text = f"{left} {node.op} {right}"
    needs = prec < parent or (right_side and prec == parent)
    return f"({text})" if needs else text


def formula_parse(text: str) -> Formula:
    """Parse a formula; FormulaError (with the position) when it is not valid."""
    if not isinstance(text, str):
        raise FormulaError(_("The formula must be text."))
    if len(text) > MAX_LENGTH:
        raise FormulaError(_("The formula is too long (at most %(max)s characters).") % {"max": MAX_LENGTH})
    if not text.strip():
        raise FormulaError(_("The formula is empty."))
    tokens = _tokenize(text)
    return Formula(source=text, tree=_Parser(tokens).parse())
