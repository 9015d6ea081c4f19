"""Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters with a check character."""

from __future__ import annotations

# The code's alphabet leaves out I, O, S, V and Z; a character's value is its position.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def valid_uscc(code: str) -> bool:
    """Whether `code` is 18 characters of the alphabet with the right check character."""
    if len(code) != 18 or any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:17]) == code[17]
