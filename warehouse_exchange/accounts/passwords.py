"""Which passwords are refused, and why: too short or long, among the most common, or made of
the person's own name, email address or organization (what an attacker tries first).

Attackers try a guess with digits and punctuation around it ("Nordsee2024!", "Password123")
and with the usual letter swaps ("P@ssw0rd"), so the checks look at the password without them.
The list of common passwords ships with the package (common_passwords.txt); nothing is fetched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from importlib.resources import files

MIN_LENGTH = 10
MAX_LENGTH = 200
#: fewer different characters than this is a pattern, not a password ("ababababab")
MIN_DISTINCT_CHARACTERS = 4
#: words of this length or shorter in a name are too common to refuse ("Li", "Co")
MIN_PERSONAL_WORD_LENGTH = 3
#: a password whose letters, less the personal words, are this short or shorter adds nothing
MAX_LEFTOVER_LENGTH = 3
#: everybody's account is on this site; its name is the first guess for every one of them
SITE_WORDS = ("warehouse", "exchange")
#: letter swaps that leave a word as guessable as it was
UNSWAPPED = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e",
                           "$": "s", "5": "s", "7": "t", "+": "t"})  # fmt: skip

TOO_SHORT = f"At least {MIN_LENGTH} characters."
TOO_LONG = f"At most {MAX_LENGTH} characters."
TOO_SIMPLE = "Uses too few different characters; try a few unrelated words."
TOO_COMMON = "This is one of the most common passwords; choose one nobody would guess."
TOO_PERSONAL = (
    "Made of your name, email address or organization (or the name of this site); "
    "choose words nobody would link to you."
)


@functools.cache
def common_passwords() -> frozenset[str]:
    text = files(__package__).joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str, personal: Iterable[str | None] = ()) -> str | None:
    """Why `password` is refused, for the person described by `personal` (their name,
    email address, organization name), or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS:
        return TOO_SIMPLE
    cores = _cores(password)
    if any(core in common_passwords() for core in cores):
        return TOO_COMMON
    words = _personal_words(personal)
    if any(_is_made_of(core, words) for core in cores if core):
        return TOO_PERSONAL
    return None


def _cores(password: str) -> set[str]:
    """The password as guessed: lower-case, as typed, with the letter swaps undone, and both
    without the digits and punctuation around it."""
    typed = password.casefold()
    spellings = {typed, typed.translate(UNSWAPPED)}
    cores = spellings | {_strip_decoration(spelling) for spelling in spellings}
    return cores | {_repeated_unit(_letters(core)) for core in cores}


def _strip_decoration(text: str) -> str:
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)


def _repeated_unit(text: str) -> str:
    """The shortest piece that `text` repeats ("dragondragon" -> "dragon"), or `text`."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def _letters(text: str) -> str:
    return re.sub(r"[\W\d_]+", "", text)


def _personal_words(personal: Iterable[str | None]) -> list[str]:
    words = set(SITE_WORDS)
    for text in filter(None, personal):
        words.update(re.findall(r"[^\W\d_]+", text.casefold()))
    return sorted((w for w in words if len(w) >= MIN_PERSONAL_WORD_LENGTH), key=len, reverse=True)


def _is_made_of(core: str, words: list[str]) -> bool:
    """The core's letters are personal words with at most a short or common word added."""
    letters = _letters(core)
    leftover = letters
    for word in words:
        leftover = leftover.replace(word, "")
    if leftover == letters:
        return False
    return len(leftover) <= MAX_LEFTOVER_LENGTH or leftover in common_passwords()
