"""Rules written once, evaluated in Python and compiled to PostgreSQL text.

The export record is built on two paths: from model instances in Python (`records`) and in
SQL on PostgreSQL (`postgres`). Where a value is computed rather than read — the ratings'
consensus and agreement, the one-line CSV summaries of evidence, ratings and notes — the
rule is an expression tree of the few nodes below: `evaluate(env)` runs it over Python
values, `sql(env)` writes the same rule as SQL over column expressions. `env` maps each
`Ref` name to a value (Python) or to a SQL expression of that value (SQL).

Why not a library: SQLAlchemy's and PyPika's expressions compile to SQL but do not evaluate
in Python, and Django's need a query to compile; here one definition must do both, and the
nodes needed are a handful.

Also here, the SQL text building blocks every generated statement uses: string literals
(`lit`) and `concat()`, which folds literals and joins the parts as a tree of `||`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# --- SQL text --------------------------------------------------------------------------------


def lit(value: str) -> str:
    """A SQL string literal (with % doubled: the statement goes through %-formatting)."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def sql_constant(value: object) -> str:
    """A Python constant (text, integer, boolean or None) as SQL."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return lit(str(value))


def is_literal(expr: str) -> bool:
    """True when `expr` is one SQL string literal."""
    return (
        len(expr) >= 2
        and expr[0] == "'"
        and expr[-1] == "'"
        and "'" not in expr[1:-1].replace("''", "")
    )


def concat(parts: list[str]) -> str:
    """The SQL text of the parts joined, as PostgreSQL's concat() would join them (a null part
    adds nothing), adjacent string literals folded into one.

    Built as a balanced tree of `||` over the parts, each part that is not a literal made
    null-safe with COALESCE: concat() looks up every argument's output function for each
    row (PostgreSQL 15), and a chain `a || b || c …` copies the growing text once per part;
    the tree copies each byte about log2(parts) times. The parts must be text.
    """
    folded: list[str] = []
    for part in parts:
        if folded and is_literal(part) and is_literal(folded[-1]):
            folded[-1] = folded[-1][:-1] + part[1:]
        else:
            folded.append(part)
    if len(folded) == 1:
        return folded[0] if is_literal(folded[0]) else f"COALESCE({folded[0]}, '')"
    return _joined([part if is_literal(part) else f"COALESCE({part}, '')" for part in folded])


def _joined(parts: list[str]) -> str:
    """`||` of the parts as a balanced tree (parenthesised)."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return f"({_joined(parts[:middle])} || {_joined(parts[middle:])})"


# --- Expressions -----------------------------------------------------------------------------


class Expr:
    """A rule over named values: `evaluate` in Python, `sql` in PostgreSQL."""

    def evaluate(self, env: Mapping[str, object]) -> object:
        raise NotImplementedError

    def sql(self, env: Mapping[str, str]) -> str:
        raise NotImplementedError


def expr(value: object) -> Expr:
    """`value` as an expression: expressions stay, constants become `Const`."""
    return value if isinstance(value, Expr) else Const(value)


@dataclass(frozen=True)
class Ref(Expr):
    """A named value: a field of the item, or a quantity computed before."""

    name: str

    def evaluate(self, env):
        return env[self.name]

    def sql(self, env):
        return env[self.name]


@dataclass(frozen=True)
class Const(Expr):
    value: object

    def evaluate(self, env):
        return self.value

    def sql(self, env):
        return sql_constant(self.value)


_COMPARISONS: dict[str, Callable[[object, object], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    # `<>` that treats null as a value, as Python's `!=` does (NULL <> 1 is null in SQL).
    "IS DISTINCT FROM": operator.ne,
}


@dataclass(frozen=True)
class Compare(Expr):
    left: Expr
    op: str
    right: Expr

    def evaluate(self, env):
        return _COMPARISONS[self.op](self.left.evaluate(env), self.right.evaluate(env))

    def sql(self, env):
        return f"{self.left.sql(env)} {self.op} {self.right.sql(env)}"


def eq(left, right) -> Compare:
    return Compare(expr(left), "=", expr(right))


def gt(left, right) -> Compare:
    return Compare(expr(left), ">", expr(right))


def ge(left, right) -> Compare:
    return Compare(expr(left), ">=", expr(right))


def differ(left, right) -> Compare:
    """`left != right`, null included (a null and a value differ)."""
    return Compare(expr(left), "IS DISTINCT FROM", expr(right))


@dataclass(frozen=True)
class In(Expr):
    """True when the value is one of the constants `values` (false for null)."""

    value: Expr
    values: tuple[object, ...]

    def evaluate(self, env):
        return self.value.evaluate(env) in self.values

    def sql(self, env):
        values = ", ".join(sql_constant(v) for v in self.values)
        return f"COALESCE({self.value.sql(env)} IN ({values}), FALSE)"


def one_of(value, values) -> In:
    return In(expr(value), tuple(values))


@dataclass(frozen=True)
class And(Expr):
    parts: tuple[Expr, ...]

    def evaluate(self, env):
        return all(part.evaluate(env) for part in self.parts)

    def sql(self, env):
        return " AND ".join(part.sql(env) for part in self.parts)


def both(*parts) -> And:
    return And(tuple(expr(p) for p in parts))


@dataclass(frozen=True)
class Present(Expr):
    """True when the text is neither null nor empty (Python's truth of a string)."""

    value: Expr

    def evaluate(self, env):
        return bool(self.value.evaluate(env))

    def sql(self, env):
        return f"{self.value.sql(env)} <> ''"


@dataclass(frozen=True)
class If(Expr):
    """`then` when `condition` holds, else `otherwise` (null by default)."""

    condition: Expr
    then: Expr
    otherwise: Expr = Const(None)

    def evaluate(self, env):
        branch = self.then if self.condition.evaluate(env) else self.otherwise
        return branch.evaluate(env)

    def sql(self, env):
        tail = "" if self.otherwise == Const(None) else f" ELSE {self.otherwise.sql(env)}"
        return f"CASE WHEN {self.condition.sql(env)} THEN {self.then.sql(env)}{tail} END"


def when(condition, then, otherwise=None) -> If:
    return If(expr(condition), expr(then), expr(otherwise))


@dataclass(frozen=True)
class Match(Expr):
    """The result of the first case whose value equals `subject` (null when none does)."""

    subject: Expr
    cases: tuple[tuple[Expr, Expr], ...]

    def evaluate(self, env):
        subject = self.subject.evaluate(env)
        for value, result in self.cases:
            if value.evaluate(env) == subject:
                return result.evaluate(env)
        return None

    def sql(self, env):
        whens = " ".join(f"WHEN {v.sql(env)} THEN {r.sql(env)}" for v, r in self.cases)
        return f"CASE {self.subject.sql(env)} {whens} END"


@dataclass(frozen=True)
class Greatest(Expr):
    parts: tuple[Expr, ...]

    def evaluate(self, env):
        return max(part.evaluate(env) for part in self.parts)

    def sql(self, env):
        return "GREATEST(" + ", ".join(part.sql(env) for part in self.parts) + ")"


@dataclass(frozen=True)
class Sum(Expr):
    parts: tuple[Expr, ...]

    def evaluate(self, env):
        return sum(part.evaluate(env) for part in self.parts)

    def sql(self, env):
        return "(" + " + ".join(part.sql(env) for part in self.parts) + ")"


@dataclass(frozen=True)
class Concat(Expr):
    """The parts' text joined (integers as their digits); the parts are never null."""

    parts: tuple[Expr, ...]

    def evaluate(self, env):
        return "".join(str(part.evaluate(env)) for part in self.parts)

    def sql(self, env):
        return " || ".join(part.sql(env) for part in self.parts)


def text(*parts) -> Concat:
    return Concat(tuple(expr(p) for p in parts))


@dataclass(frozen=True)
class Coalesce(Expr):
    """`value` unless it is null, else `default`."""

    value: Expr
    default: Expr

    def evaluate(self, env):
        value = self.value.evaluate(env)
        return self.default.evaluate(env) if value is None else value

    def sql(self, env):
        return f"COALESCE({self.value.sql(env)}, {self.default.sql(env)})"


@dataclass(frozen=True)
class Or(Expr):
    """The first part that is neither null nor empty (Python's `a or b`), else null."""

    parts: tuple[Expr, ...]

    def evaluate(self, env):
        for part in self.parts:
            if value := part.evaluate(env):
                return value
        return None

    def sql(self, env):
        return "COALESCE(" + ", ".join(f"NULLIF({p.sql(env)}, '')" for p in self.parts) + ")"


def first_of(*parts) -> Or:
    return Or(tuple(expr(p) for p in parts))


@dataclass(frozen=True)
class JoinPresent(Expr):
    """The parts that are neither null nor empty, joined by `separator`."""

    separator: str
    parts: tuple[Expr, ...]

    def evaluate(self, env):
        return self.separator.join(v for p in self.parts if (v := p.evaluate(env)))

    def sql(self, env):
        parts = ", ".join(f"NULLIF({p.sql(env)}, '')" for p in self.parts)
        return f"concat_ws({lit(self.separator)}, {parts})"


def join_present(separator: str, *parts) -> JoinPresent:
    return JoinPresent(separator, tuple(expr(p) for p in parts))
