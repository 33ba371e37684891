"""The bundled word lists of each language (`postmortem/lint/words/*.toml`) and additions."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files

from postmortem.record.languages import LANGUAGES

_WORDS_DIR = files("postmortem.lint") / "words"


def word_lists(lang: str) -> tuple[str, ...]:
    """Return the names of the bundled word lists of a language."""
    return tuple(bundled_words(lang))


@functools.cache
def bundled_words(lang: str) -> dict[str, tuple[str, ...]]:
    """Return the bundled word lists of a language, by name."""
    data = tomllib.loads((_WORDS_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    return {name: tuple(words) for name, words in data.items()}


#: Lists that hold names, not words of a language: a French record may name a John, an
#: English one a Sophie, so every language's list applies.
_NAMES = ("first_names",)


def words_for(lang: str, added: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Return the word lists of a language with the workspace's additions."""
    lists = {name: words + tuple(added.get(name, ()))
             for name, words in bundled_words(lang).items()}
    for name in _NAMES:
        others = (word for other in LANGUAGES for word in bundled_words(other)[name])
        lists[name] = tuple(dict.fromkeys((*lists[name], *others)))
    return lists

