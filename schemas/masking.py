"""How an ID number is shown to someone whose duty does not need it (R21): one rule, everywhere."""
from __future__ import annotations

SHOW_HEAD, SHOW_TAIL = 6, 4  # the region code and the last four characters (check digit included)


def masked_id_number(number: str) -> str:
    """500112196803153112 -> 500112********3112; a number too short to mask is hidden whole."""
    if len(number) <= SHOW_HEAD + SHOW_TAIL:
        return "*" * len(number)
    return number[:SHOW_HEAD] + "*" * (len(number) - SHOW_HEAD - SHOW_TAIL) + number[-SHOW_TAIL:]
