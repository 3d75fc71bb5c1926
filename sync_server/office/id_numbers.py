"""Resident ID numbers (GB 11643-1999): 17 digits and a check character (0-9 or X)."""
from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("需要 17 位数字")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_is_valid(number: str) -> bool:
    """Whether an 18-character ID number is well formed: pattern, a real birth date, right check character."""
    if not ID_PATTERN.match(number):
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return check_character(number[:17]) == number[17]


def make_id_number(region: str, born: date, sequence: int, female: bool) -> str:
    """A well-formed ID number (for demo data): the sequence's last digit is odd for men, even for women."""
    seq = sequence * 10 % 1000 + (0 if female else 1)
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)
