"""GB 11643 resident ID numbers: the demo family's numbers are well formed."""
from __future__ import annotations

from datetime import date

import pytest

from sync_server.office.id_numbers import check_character, id_number_is_valid, make_id_number
from sync_server.ops.seed import demo_cases


@pytest.mark.parametrize("number, ok", [
    ("11010519491231002X", True),  # the standard's own example
    ("11010519491231002x", False),  # lowercase x is not the check character
    ("110105194912310021", False),  # wrong check character
    ("110105194902300020", False),  # 30 February
    ("11010519491231002", False),  # 17 characters
    ("A1010519491231002X", False),
])
def test_id_number_check(number: str, ok: bool):
    assert id_number_is_valid(number) is ok


def test_check_character_follows_mod_11_2():
    assert check_character("11010519491231002") == "X"
    with pytest.raises(ValueError):
        check_character("123")


def test_made_numbers_carry_sex_and_birth_date():
    man = make_id_number("500112", date(1968, 3, 15), 31, female=False)
    woman = make_id_number("500112", date(1970, 7, 22), 42, female=True)
    assert id_number_is_valid(man) and id_number_is_valid(woman)
    assert man[6:14] == "19680315" and int(man[16]) % 2 == 1 and int(woman[16]) % 2 == 0


def test_every_demo_subject_has_a_valid_id_number():
    subjects = [s for case, _authorized in demo_cases(date(2026, 11, 16)) for s in case.subjects]
    assert len(subjects) == 4
    assert all(id_number_is_valid(s.id_number) for s in subjects)
