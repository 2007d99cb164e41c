"""core/memo.py: values kept for the last rounds' arguments only, so a long preview's memory stays flat."""

from __future__ import annotations

from handbook_gen.core.memo import Recent


def test_a_value_is_computed_once_while_a_recent_round_asks_for_it_and_dropped_after():
    calls: list[str] = []
    memo = Recent(lambda text: calls.append(text) or len(text), rounds=2)
    assert [memo("ab"), memo("ab"), memo("abc")] == [2, 2, 3] and calls == ["ab", "abc"]
    memo.turn()
    assert memo("ab") == 2 and calls == ["ab", "abc"]  # the round before asked for it: kept
    memo.turn()
    memo.turn()  # a round that asks nothing changes nothing
    assert memo("xyz") == 3
    memo.turn()
    memo.turn()
    assert memo("abc") == 3 and calls == ["ab", "abc", "xyz", "abc"]  # no recent round asked for it: computed again
    assert len(set(memo.now).union(*memo.older)) <= 3


def test_two_variants_in_turn_each_find_their_own_values():
    calls: list[str] = []
    memo = Recent(lambda text: calls.append(text) or text.upper())  # three rounds
    for _ in range(5):
        for texts in (["internal body"], ["public body"]):
            memo.turn()
            assert [memo(t) for t in texts] == [t.upper() for t in texts]
    assert calls == ["internal body", "public body"]


def test_a_long_run_of_edits_holds_no_more_than_its_rounds():
    memo = Recent(len)
    for edit in range(200):
        memo.turn()
        for story in range(50):
            memo(f"story {story}" + (f" edit {edit}" if story == 0 else ""))
    assert len(set(memo.now).union(*memo.older)) <= 50 + 2  # the stories, and the edited one's last two texts
