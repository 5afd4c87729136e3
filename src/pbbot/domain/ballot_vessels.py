"""Communicating vessels ("communicerende vaten"): a resident divides the total over themes.

On SMS the resident types a split ("1=30 2=50 3=20", in percent or amounts) and
may fix one theme at a time; on Telegram buttons `move` steps of money from one
theme to another, so the sum stays fixed. Either way the split must add up to
the total exactly before it can be cast; until then `check_cast` says how much
is missing or too much. Amounts are in cents at most: percentages are rounded
to the cent, and a whole split in percent (adding up to 100) gives its rounding
remainder to its largest theme so that it adds up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import ClassVar, Literal

__all__ = [
    "OverTotal",
    "Split",
    "SplitOver",
    "SplitProblem",
    "SplitRefusal",
    "SplitShort",
    "ThemeEmpty",
    "UnknownTheme",
    "VesselsRules",
]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class UnknownTheme:
    """`theme` is the id, or the number the resident typed."""

    kind: ClassVar[str] = "unknown_theme"
    theme: str | int


@dataclass(frozen=True, slots=True)
class ThemeEmpty:
    """A move out of a theme that has nothing left to give."""

    kind: ClassVar[str] = "theme_empty"
    theme: str


@dataclass(frozen=True, slots=True)
class OverTotal:
    """One theme given more than the whole total (or more than 100%)."""

    kind: ClassVar[str] = "over_total"
    theme: str
    amount: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class SplitShort:
    kind: ClassVar[str] = "split_short"
    missing: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class SplitOver:
    kind: ClassVar[str] = "split_over"
    excess: Decimal
    total: Decimal


SplitRefusal = UnknownTheme | ThemeEmpty | OverTotal
SplitProblem = SplitShort | SplitOver


@dataclass(frozen=True, slots=True)
class VesselsRules:
    """The total to divide, the edition's theme ids in list order, and the button step."""

    total: Decimal
    themes: tuple[str, ...]
    step: Decimal

    def __post_init__(self) -> None:
        if self.total <= 0:
            raise ValueError("the total must be more than 0")
        if len(self.themes) < 2:
            raise ValueError("communicating vessels need at least two themes")
        if len(set(self.themes)) != len(self.themes):
            raise ValueError(f"a theme is listed twice: {self.themes}")
        if not 0 < self.step <= self.total:
            raise ValueError("the step must be more than 0 and at most the total")

    def theme_id(self, number: int) -> str | None:
        """The theme shown as `number` (1-based, in list order), or None."""
        return self.themes[number - 1] if 1 <= number <= len(self.themes) else None


@dataclass(frozen=True, slots=True)
class Split:
    """An amount per theme, aligned with `rules.themes`; never below 0."""

    rules: VesselsRules
    amounts: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        if len(self.amounts) != len(self.rules.themes):
            raise ValueError("one amount per theme")
        if any(amount < 0 for amount in self.amounts):
            raise ValueError(f"a theme below 0: {self.amounts}")

    @classmethod
    def empty(cls, rules: VesselsRules) -> Split:
        """Nothing given yet: where an SMS split starts."""
        return cls(rules, (Decimal(0),) * len(rules.themes))

    @classmethod
    def even(cls, rules: VesselsRules) -> Split:
        """The total in whole steps shared evenly, adding up exactly: where buttons start.

        The first themes get one step more when the steps do not share evenly,
        and the first theme any remainder smaller than a step.
        """
        count = len(rules.themes)
        steps = int(rules.total // rules.step)
        each, extra = divmod(steps, count)
        amounts = [rules.step * (each + (1 if i < extra else 0)) for i in range(count)]
        amounts[0] += rules.total - rules.step * steps
        return cls(rules, tuple(amounts))

    def amount(self, theme: str) -> Decimal:
        return self.amounts[self.rules.themes.index(theme)]

    def as_dict(self) -> dict[str, Decimal]:
        return dict(zip(self.rules.themes, self.amounts, strict=True))

    @property
    def allocated(self) -> Decimal:
        return sum(self.amounts, Decimal(0))

    @property
    def unallocated(self) -> Decimal:
        """The total minus what is given: negative when too much is given."""
        return self.rules.total - self.allocated

    def percent(self, theme: str) -> Decimal:
        """The theme's share of the total in percent, to one decimal, for showing."""
        share = self.amount(theme) * _HUNDRED / self.rules.total
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)

    def with_amounts(self, amounts: Mapping[str, Decimal]) -> Split | SplitRefusal:
        """The split with the themes named in `amounts` set; the others keep theirs."""
        values = list(self.amounts)
        for theme, amount in amounts.items():
            if theme not in self.rules.themes:
                return UnknownTheme(theme)
            if amount < 0:
                raise ValueError(f"a negative amount for {theme}")
            amount = amount.quantize(_CENT, rounding=ROUND_HALF_EVEN)
            if amount > self.rules.total:
                return OverTotal(theme, amount, self.rules.total)
            values[self.rules.themes.index(theme)] = amount
        return Split(self.rules, tuple(values))

    def with_percentages(self, percentages: Mapping[str, Decimal]) -> Split | SplitRefusal:
        """The split with the named themes set to their percentage of the total.

        Percentages that add up to 100 are a whole split: the other themes go to
        0 and the rounding to cents is evened out on the largest share, so the
        split adds up to the total exactly.
        """
        unknown = [theme for theme in percentages if theme not in self.rules.themes]
        if unknown:
            return UnknownTheme(unknown[0])
        amounts: dict[str, Decimal] = {}
        for theme, percent in percentages.items():
            if percent < 0:
                raise ValueError(f"a negative percentage for {theme}")
            if percent > _HUNDRED:
                total = self.rules.total
                return OverTotal(theme, (total * percent / _HUNDRED).quantize(_CENT), total)
            amounts[theme] = (self.rules.total * percent / _HUNDRED).quantize(
                _CENT, rounding=ROUND_HALF_EVEN
            )
        if sum(percentages.values(), Decimal(0)) == _HUNDRED and amounts:
            largest = max(amounts, key=lambda theme: percentages[theme])
            amounts[largest] += self.rules.total - sum(amounts.values(), Decimal(0))
            amounts = {theme: amounts.get(theme, Decimal(0)) for theme in self.rules.themes}
        return self.with_amounts(amounts)

    def with_numbered(
        self, values: Mapping[int, Decimal], *, unit: Literal["percent", "amount"]
    ) -> Split | SplitRefusal:
        """An SMS split ("1=30 2=50"): theme numbers as listed, in percent or amounts."""
        by_id: dict[str, Decimal] = {}
        for number, value in values.items():
            theme = self.rules.theme_id(number)
            if theme is None:
                return UnknownTheme(number)
            by_id[theme] = value
        return self.with_percentages(by_id) if unit == "percent" else self.with_amounts(by_id)

    def move(
        self, from_theme: str, to_theme: str, step: Decimal | None = None
    ) -> Split | SplitRefusal:
        """A Telegram button: `step` (the rules' step by default) from one theme to another.

        Moves what is there when the source has less than a step, never going
        below 0; the sum stays what it was.
        """
        themes = self.rules.themes
        for theme in (from_theme, to_theme):
            if theme not in themes:
                return UnknownTheme(theme)
        step = self.rules.step if step is None else step
        if step <= 0:
            raise ValueError("a move is of more than 0")
        if from_theme == to_theme:
            return self
        source, target = themes.index(from_theme), themes.index(to_theme)
        moved = min(step, self.amounts[source])
        if moved == 0:
            return ThemeEmpty(from_theme)
        values = list(self.amounts)
        values[source] -= moved
        values[target] += moved
        return Split(self.rules, tuple(values))

    def check_cast(self) -> list[SplitProblem]:
        """Empty when the split adds up to the total exactly."""
        left = self.unallocated
        if left > 0:
            return [SplitShort(left, self.rules.total)]
        if left < 0:
            return [SplitOver(-left, self.rules.total)]
        return []
