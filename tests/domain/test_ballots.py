"""The ballot's pure core: basket, approval, communicating vessels, per-resident order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbbot.domain.ballot_order import stable_order
from pbbot.domain.ballot_problems import (
    AlreadyChosen,
    NotChosen,
    NothingChosen,
    OverBudget,
    TooFewProjects,
    TooManyProjects,
    UnderMinShare,
    UnknownProject,
)
from pbbot.domain.ballot_vessels import (
    OverTotal,
    Split,
    SplitOver,
    SplitShort,
    ThemeEmpty,
    UnknownTheme,
    VesselsRules,
)
from pbbot.domain.ballots import ApprovalBallot, ApprovalRules, Basket, BasketRules, Project

PROJECTS = [
    Project(1, 40_000, "green"),
    Project(2, Decimal("25000.50"), "play"),
    Project(3, 30_000, None),
    Project(4, 10_000, "green"),
    Project(5, 80_000, "play"),
]
RULES = BasketRules(Decimal(100_000), min_share=Decimal("0.7"), min_projects=2, max_projects=3)


def _basket(*numbers: int, rules: BasketRules = RULES) -> Basket:
    basket = Basket.start(rules, PROJECTS)
    for number in numbers:
        added = basket.add(number)
        assert isinstance(added, Basket), added
        basket = added
    return basket


# -- Project and rules ---------------------------------------------------------------


def test_project_cost_is_a_decimal() -> None:
    assert Project(7, 12_500).cost == Decimal(12_500)
    assert isinstance(Project(7, 12_500).cost, Decimal)
    assert Project(7, 12_500) == Project(7, Decimal(12_500), None)


@pytest.mark.parametrize(("number", "cost"), [(0, 1), (-1, 1), (1, -5)])
def test_project_refuses_bad_values(number: int, cost: int) -> None:
    with pytest.raises(ValueError):
        Project(number, cost)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"budget": Decimal(0)},
        {"budget": Decimal(10), "min_share": Decimal(0)},
        {"budget": Decimal(10), "min_share": Decimal("1.1")},
        {"budget": Decimal(10), "min_projects": 0},
        {"budget": Decimal(10), "max_projects": 0},
        {"budget": Decimal(10), "min_projects": 3, "max_projects": 2},
    ],
)
def test_basket_rules_refuse_impossible_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BasketRules(**kwargs)  # type: ignore[arg-type]


def test_min_spend() -> None:
    assert RULES.min_spend == Decimal(70_000)
    assert BasketRules(Decimal(100)).min_spend == 0


def test_duplicate_project_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Basket.start(RULES, [Project(1, 5), Project(1, 6)])


# -- Basket --------------------------------------------------------------------------


def test_add_keeps_order_and_sums() -> None:
    basket = _basket(3, 1)
    assert basket.chosen == (3, 1)
    assert basket.spent == Decimal(70_000)
    assert basket.left == Decimal(30_000)


def test_add_is_pure() -> None:
    basket = _basket(1)
    basket.add(3)
    assert basket.chosen == (1,)


def test_add_refusals() -> None:
    basket = _basket(1, 2)
    assert basket.add(99) == UnknownProject(99)
    assert basket.add(1) == AlreadyChosen(1)
    assert basket.add(5) == OverBudget(5, Decimal(80_000), Decimal("34999.50"))
    assert _basket(1, 2, 4).add(3) == TooManyProjects(3, 3)


def test_too_many_is_said_before_over_budget() -> None:
    # The resident cannot fix "too many" by picking a cheaper project.
    assert _basket(1, 2, 4).add(5) == TooManyProjects(5, 3)


def test_a_project_that_costs_exactly_what_is_left_fits() -> None:
    rules = BasketRules(Decimal(50_000))
    basket = _basket(1, rules=rules).add(4)
    assert isinstance(basket, Basket)
    assert basket.left == 0


def test_remove() -> None:
    basket = _basket(1, 3, 4).remove(3)
    assert isinstance(basket, Basket)
    assert basket.chosen == (1, 4)
    assert basket.remove(3) == NotChosen(3)
    assert basket.remove(42) == UnknownProject(42)


def test_toggle() -> None:
    basket = _basket(1).toggle(3)
    assert isinstance(basket, Basket)
    assert basket.chosen == (1, 3)
    again = basket.toggle(1)
    assert isinstance(again, Basket)
    assert again.chosen == (3,)
    assert again.toggle(5) == OverBudget(5, Decimal(80_000), Decimal(70_000))


def test_refusal_kinds_name_catalog_entries() -> None:
    kinds = {
        UnknownProject(1).kind,
        AlreadyChosen(1).kind,
        NotChosen(1).kind,
        OverBudget(1, Decimal(1), Decimal(0)).kind,
        TooManyProjects(1, 1).kind,
        NothingChosen().kind,
        UnderMinShare(Decimal(0), Decimal(1), Decimal(1)).kind,
        TooFewProjects(0, 1).kind,
    }
    assert len(kinds) == 8


def test_check_cast_empty() -> None:
    assert _basket().check_cast() == [NothingChosen()]
    assert Basket.start(BasketRules(Decimal(10)), PROJECTS).check_cast() == [NothingChosen()]


def test_check_cast_under_min_share_and_too_few() -> None:
    assert _basket(4).check_cast() == [
        UnderMinShare(Decimal(10_000), Decimal(70_000), Decimal(60_000)),
        TooFewProjects(1, 2),
    ]


def test_check_cast_under_min_share_only() -> None:
    assert _basket(3, 4).check_cast() == [
        UnderMinShare(Decimal(40_000), Decimal(70_000), Decimal(30_000))
    ]


def test_check_cast_ok_at_exactly_the_min_share() -> None:
    assert _basket(1, 3).check_cast() == []


def test_check_cast_without_rules_needs_one_project() -> None:
    assert _basket(4, rules=BasketRules(Decimal(100_000))).check_cast() == []


def test_a_basket_that_breaks_its_rules_cannot_be_built() -> None:
    catalog = {project.number: project for project in PROJECTS}
    with pytest.raises(ValueError, match="over the budget"):
        Basket(RULES, catalog, (1, 5))
    with pytest.raises(ValueError, match="more than 3"):
        Basket(BasketRules(Decimal(10**6), max_projects=3), catalog, (1, 2, 3, 4))
    with pytest.raises(ValueError, match="twice"):
        Basket(RULES, catalog, (1, 1))
    with pytest.raises(ValueError, match="unknown"):
        Basket(RULES, catalog, (9,))


def test_restore_keeps_what_still_fits() -> None:
    dearer = [Project(1, 40_000), Project(2, 70_000), Project(3, 10_000)]
    basket, dropped = Basket.restore(RULES, dearer, [1, 2, 3, 9, 3])
    assert basket.chosen == (1, 3)
    assert dropped == (2, 9)


def test_restore_of_a_valid_draft_drops_nothing() -> None:
    basket, dropped = Basket.restore(RULES, PROJECTS, [3, 1])
    assert basket == _basket(3, 1)
    assert dropped == ()


@given(
    st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=7)), max_size=40),
    st.integers(min_value=1, max_value=200_000),
    st.one_of(st.none(), st.integers(min_value=1, max_value=5)),
)
def test_a_basket_never_exceeds_its_budget(
    edits: list[tuple[bool, int]], budget: int, max_projects: int | None
) -> None:
    rules = BasketRules(Decimal(budget), max_projects=max_projects)
    basket = Basket.start(rules, PROJECTS)
    for adding, number in edits:
        result = basket.add(number) if adding else basket.remove(number)
        if isinstance(result, Basket):
            basket = result
        assert basket.spent <= rules.budget
        assert basket.left >= 0
        assert len(set(basket.chosen)) == len(basket.chosen)
        if max_projects is not None:
            assert len(basket.chosen) <= max_projects


@given(st.permutations([1, 2, 3, 4, 5]))
def test_an_add_is_refused_only_when_it_would_go_over(order: list[int]) -> None:
    rules = BasketRules(Decimal(100_000))
    basket = Basket.start(rules, PROJECTS)
    for number in order:
        result = basket.add(number)
        cost = next(project.cost for project in PROJECTS if project.number == number)
        if cost <= basket.left:
            assert isinstance(result, Basket)
            basket = result
        else:
            assert result == OverBudget(number, cost, basket.left)


# -- Approval ------------------------------------------------------------------------


def test_approval_add_remove_and_limit() -> None:
    ballot = ApprovalBallot.start(ApprovalRules(2), PROJECTS)
    assert ballot.check_cast() == [NothingChosen()]
    assert ballot.left == 2
    first = ballot.add(5)  # cost does not count: 80 000 on a ballot of any budget
    assert isinstance(first, ApprovalBallot)
    second = first.add(1)
    assert isinstance(second, ApprovalBallot)
    assert second.chosen == (5, 1)
    assert second.left == 0
    assert second.add(2) == TooManyProjects(2, 2)
    assert second.add(1) == AlreadyChosen(1)
    assert second.add(8) == UnknownProject(8)
    assert second.remove(2) == NotChosen(2)
    assert second.check_cast() == []
    fewer = second.toggle(5)
    assert isinstance(fewer, ApprovalBallot)
    assert fewer.chosen == (1,)
    assert isinstance(fewer.toggle(3), ApprovalBallot)


def test_approval_rules_and_invariants() -> None:
    with pytest.raises(ValueError):
        ApprovalRules(0)
    catalog = {project.number: project for project in PROJECTS}
    with pytest.raises(ValueError):
        ApprovalBallot(ApprovalRules(1), catalog, (1, 2))


@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=7)), max_size=30))
def test_approval_never_holds_more_than_max(edits: list[tuple[bool, int]]) -> None:
    ballot = ApprovalBallot.start(ApprovalRules(3), PROJECTS)
    for adding, number in edits:
        result = ballot.add(number) if adding else ballot.remove(number)
        if isinstance(result, ApprovalBallot):
            ballot = result
        assert len(ballot.chosen) <= 3


# -- Communicating vessels -----------------------------------------------------------

VESSELS = VesselsRules(Decimal(200_000), ("green", "play", "safe"), Decimal(10_000))


@pytest.mark.parametrize(
    ("total", "themes", "step"),
    [
        (0, ("a", "b"), 1),
        (100, ("a",), 1),
        (100, ("a", "a"), 1),
        (100, ("a", "b"), 0),
        (100, ("a", "b"), 101),
    ],
)
def test_vessels_rules_refuse_impossible_values(
    total: int, themes: tuple[str, ...], step: int
) -> None:
    with pytest.raises(ValueError):
        VesselsRules(Decimal(total), themes, Decimal(step))


def test_theme_numbers() -> None:
    assert VESSELS.theme_id(1) == "green"
    assert VESSELS.theme_id(3) == "safe"
    assert VESSELS.theme_id(0) is None
    assert VESSELS.theme_id(4) is None


def test_empty_split_is_short_of_everything() -> None:
    split = Split.empty(VESSELS)
    assert split.allocated == 0
    assert split.check_cast() == [SplitShort(Decimal(200_000), Decimal(200_000))]


def test_even_split_adds_up_in_whole_steps() -> None:
    split = Split.even(VESSELS)
    assert split.as_dict() == {
        "green": Decimal(70_000),
        "play": Decimal(70_000),
        "safe": Decimal(60_000),
    }
    assert split.check_cast() == []


def test_even_split_gives_the_remainder_to_the_first_theme() -> None:
    rules = VesselsRules(Decimal("1000.50"), ("a", "b"), Decimal(300))
    assert Split.even(rules).amounts == (Decimal("700.50"), Decimal(300))


def test_with_percentages_whole_split() -> None:
    split = Split.even(VESSELS).with_percentages({"green": Decimal(30), "play": Decimal(70)})
    assert isinstance(split, Split)
    assert split.as_dict() == {
        "green": Decimal(60_000),
        "play": Decimal(140_000),
        "safe": Decimal(0),
    }
    assert split.check_cast() == []
    assert split.percent("play") == Decimal("70.0")


def test_whole_split_in_percent_adds_up_to_the_cent() -> None:
    rules = VesselsRules(Decimal(100_001), ("a", "b", "c"), Decimal(1000))
    split = Split.empty(rules).with_percentages(
        {"a": Decimal("33.33"), "b": Decimal("33.33"), "c": Decimal("33.34")}
    )
    assert isinstance(split, Split)
    assert split.allocated == rules.total
    assert split.check_cast() == []


def test_partial_percentages_keep_the_other_themes() -> None:
    split = Split.even(VESSELS).with_percentages({"safe": Decimal(20)})
    assert isinstance(split, Split)
    assert split.amount("safe") == Decimal(40_000)
    assert split.amount("green") == Decimal(70_000)
    assert split.check_cast() == [SplitShort(Decimal(20_000), Decimal(200_000))]


def test_with_amounts_and_too_much() -> None:
    split = Split.empty(VESSELS).with_amounts({"green": Decimal(120_000), "play": Decimal(100_000)})
    assert isinstance(split, Split)
    assert split.unallocated == Decimal(-20_000)
    assert split.check_cast() == [SplitOver(Decimal(20_000), Decimal(200_000))]


def test_split_refusals() -> None:
    split = Split.empty(VESSELS)
    assert split.with_amounts({"sport": Decimal(1)}) == UnknownTheme("sport")
    assert split.with_percentages({"sport": Decimal(1)}) == UnknownTheme("sport")
    assert split.with_amounts({"green": Decimal(200_001)}) == OverTotal(
        "green", Decimal(200_001), Decimal(200_000)
    )
    assert split.with_percentages({"green": Decimal(150)}) == OverTotal(
        "green", Decimal(300_000), Decimal(200_000)
    )
    assert split.with_numbered({4: Decimal(10)}, unit="percent") == UnknownTheme(4)
    with pytest.raises(ValueError):
        split.with_amounts({"green": Decimal(-1)})


def test_with_numbered() -> None:
    split = Split.empty(VESSELS)
    by_percent = split.with_numbered(
        {1: Decimal(30), 2: Decimal(50), 3: Decimal(20)}, unit="percent"
    )
    assert isinstance(by_percent, Split)
    assert by_percent.amounts == (Decimal(60_000), Decimal(100_000), Decimal(40_000))
    by_amount = split.with_numbered({2: Decimal(120_000)}, unit="amount")
    assert isinstance(by_amount, Split)
    assert by_amount.amounts == (Decimal(0), Decimal(120_000), Decimal(0))


def test_move() -> None:
    split = Split.even(VESSELS).move("safe", "green")
    assert isinstance(split, Split)
    assert split.amounts == (Decimal(80_000), Decimal(70_000), Decimal(50_000))
    bigger = split.move("green", "play", Decimal(25_000))
    assert isinstance(bigger, Split)
    assert bigger.amounts == (Decimal(55_000), Decimal(95_000), Decimal(50_000))


def test_move_takes_only_what_is_there_and_refuses_an_empty_theme() -> None:
    split = Split.empty(VESSELS).with_amounts({"green": Decimal(4000), "play": Decimal(196_000)})
    assert isinstance(split, Split)
    moved = split.move("green", "safe")
    assert isinstance(moved, Split)
    assert moved.amounts == (Decimal(0), Decimal(196_000), Decimal(4000))
    assert moved.move("green", "safe") == ThemeEmpty("green")
    assert moved.move("green", "nope") == UnknownTheme("nope")
    assert moved.move("safe", "safe") == moved


def test_a_split_never_goes_below_zero() -> None:
    with pytest.raises(ValueError):
        Split(VESSELS, (Decimal(-1), Decimal(1), Decimal(200_000)))
    with pytest.raises(ValueError):
        Split(VESSELS, (Decimal(1),))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(VESSELS.themes),
            st.sampled_from(VESSELS.themes),
            st.one_of(st.none(), st.integers(min_value=1, max_value=250_000)),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_moves_keep_the_sum(moves: list[tuple[str, str, int | None]], even: bool) -> None:
    split = (
        Split.even(VESSELS)
        if even
        else Split.empty(VESSELS).with_amounts({"green": Decimal(123_456), "play": Decimal("7.89")})
    )
    assert isinstance(split, Split)
    total = split.allocated
    for source, target, step in moves:
        result = split.move(source, target, None if step is None else Decimal(step))
        if isinstance(result, Split):
            split = result
        else:
            assert result == ThemeEmpty(source)
        assert split.allocated == total
        assert all(amount >= 0 for amount in split.amounts)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3))
def test_percent_splits_that_add_up_to_100_add_up_to_the_total(parts: list[int]) -> None:
    if sum(parts) != 100:
        parts = [parts[0] % 50, parts[1] % 50, 0]
        parts[2] = 100 - parts[0] - parts[1]
    rules = VesselsRules(Decimal("99999.99"), ("a", "b", "c"), Decimal(1000))
    split = Split.empty(rules).with_percentages(
        {theme: Decimal(part) for theme, part in zip(rules.themes, parts, strict=True)}
    )
    assert isinstance(split, Split)
    assert split.check_cast() == []


# -- stable_order --------------------------------------------------------------------


def test_stable_order_is_stable_per_seed() -> None:
    numbers = list(range(1, 21))
    order = stable_order(numbers, b"resident-a")
    assert sorted(order) == numbers
    assert stable_order(numbers, b"resident-a") == order
    assert stable_order(reversed(numbers), b"resident-a") == order


def test_stable_order_differs_between_residents() -> None:
    numbers = list(range(1, 21))
    orders = {tuple(stable_order(numbers, f"resident-{i}".encode())) for i in range(10)}
    assert len(orders) == 10
    firsts = {stable_order(numbers, f"r{i}".encode())[0] for i in range(200)}
    assert len(firsts) > 10  # every project gets to be first for someone


def test_a_new_project_does_not_reshuffle_the_others() -> None:
    before = stable_order(range(1, 20), b"seed")
    after = stable_order(range(1, 21), b"seed")
    assert [number for number in after if number != 20] == before


def test_stable_order_refuses_an_empty_seed_and_duplicates() -> None:
    with pytest.raises(ValueError):
        stable_order([1, 2], b"")
    with pytest.raises(ValueError):
        stable_order([1, 1], b"x")
    assert stable_order([], b"x") == []


@given(st.sets(st.integers(min_value=1, max_value=10_000)), st.binary(min_size=1, max_size=32))
def test_stable_order_is_a_permutation(numbers: set[int], seed: bytes) -> None:
    assert sorted(stable_order(numbers, seed)) == sorted(numbers)
