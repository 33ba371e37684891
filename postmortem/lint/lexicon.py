"""Whether an action item starts with a verb, and whether it gives a measure.

English: the first word is a verb in the imperative, which is its base form; French: an
infinitive. The bundled word lists decide first (`verbs`, `not_verbs`, with the
workspace's additions); a word they do not settle is looked up in a lexicon, loaded only
then: `lemminflect` for English verb forms, `simplemma`'s French dictionary (form ->
lemma) for French. A measure is a quantity: a number with a unit, a threshold, a
frequency or a percentage; a bare count or a ticket number is none.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[^\W\d_][\w'’-]*")

# --- English -----------------------------------------------------------------------------

# Adverbs that may come before the verb ("Never deploy…", "Always page…"); any -ly adverb
# too.
_EN_ADVERBS = frozenset({"never", "always", "also", "only", "first", "then", "again", "now",
                         "just", "together", "once"})

# Verbs that take "of" ("Dispose of…"); any other word that can be a noun, followed by
# "of", starts a noun phrase ("Review of the runbooks").
_EN_OF_VERBS = frozenset({"think", "dispose", "approve", "beware", "consist", "dream",
                          "speak", "hear", "know", "smell", "taste", "tire", "despair",
                          "partake", "repent", "warn", "disapprove", "conceive", "rid"})

# Words after which the first word has an object, so is a verb the lexicon does not
# know as one ("Quiesce the write path", "Sunset the old gateway").
_EN_DETERMINERS = frozenset({"the", "a", "an", "all", "every", "each", "our", "its",
                             "their", "your", "this", "that", "these", "those", "any",
                             "both"})

# Words that start no verb phrase, whatever follows them.
_EN_FUNCTION_WORDS = frozenset({
    "all", "both", "each", "every", "any", "some", "no", "none", "such", "half", "per",
    "for", "on", "in", "at", "by", "from", "with", "without", "after", "before", "during",
    "across", "since", "until", "when", "if", "once", "as", "of", "to", "into", "onto",
    "under", "between", "among", "and", "or", "but", "so", "not", "because", "while",
    "where", "how", "what", "which", "who", "this", "that", "these", "those", "it", "we",
    "they", "you", "i", "he", "she", "there", "here", "more", "most", "less", "least",
    "very", "too", "only", "same", "other", "another", "new", "next",
})

_EN_VERB_SUFFIXES = ("ise", "ize", "ify")
# Prefixes that make a verb of a verb ("reindex", "uninstall", "precompute", "backport").
_EN_VERB_PREFIXES = ("re", "de", "un", "pre", "dis", "mis", "co", "over", "under", "back",
                     "cross", "auto", "multi", "out")


def starts_with_verb(text: str, lang: str, words: Mapping[str, Sequence[str]]) -> bool:
    """Tell whether an action item starts with a verb: imperative (en), infinitive (fr)."""
    tokens = [_normal(match.group()) for match in _WORD.finditer(text, 0, 200)]
    if not tokens:
        return True
    verbs = _lowered(tuple(words.get("verbs", ())))
    not_verbs = _lowered(tuple(words.get("not_verbs", ())))
    if lang == "fr":
        return _french_start(tokens, verbs, not_verbs)
    return _english_start(tokens, verbs, not_verbs)


def _normal(word: str) -> str:
    return word.lower().replace("’", "'")


@functools.cache
def _lowered(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_normal(word) for word in words)


def _english_start(tokens: list[str], verbs: Collection[str],
                   not_verbs: Collection[str]) -> bool:
    if tokens[0] == "don't" or tokens[:2] == ["do", "not"]:
        return True
    index = 0
    # "Never deploy…", "Then always page…": the verb follows the adverbs.
    while (index + 1 < len(tokens) and tokens[index] not in verbs
           and _is_english_adverb(tokens[index])):
        index += 1
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    return english_verb(tokens[index], following, verbs, not_verbs)


def _is_english_adverb(word: str) -> bool:
    # Not "apply", "supply", nor "Daily", "Weekly", which are adjectives too.
    if word in _EN_ADVERBS:
        return True
    lemmas = _english_lemmas(word) if word.endswith("ly") else {}
    return "ADV" in lemmas and "ADJ" not in lemmas and not _english_base_verb(word)


def english_verb(word: str, following: str = "", verbs: Collection[str] = (),
                 not_verbs: Collection[str] = ()) -> bool:
    """Tell whether an English word, before `following`, is a verb in the imperative."""
    word = _normal(word)
    # A compound is decided by its last part ("Re-enable", "Follow-up"), unless the
    # lexicon knows it whole ("real-time").
    head = word
    if "-" in word and word not in verbs and word not in not_verbs and not _english_known(word):
        head = word.rsplit("-", 1)[1]
    if following == "of" and head not in _EN_OF_VERBS and _english_noun(head):
        return False  # "Review of the runbooks", "Audit of the backups"
    for candidate in dict.fromkeys((word, head)):
        if candidate in verbs:
            return True
        if candidate in not_verbs:
            return False
    if _english_base_verb(head):
        return True
    if "VERB" in _english_lemmas(head):
        return False  # an inflected form: "Monitoring", "Added"
    if following in _EN_DETERMINERS and head not in _EN_FUNCTION_WORDS:
        return True  # "Sunset the gateway": only a verb takes an object there
    if _english_known(head):
        return False
    # A verb the lexicon does not know yet is recognised by its suffix ("Dockerize") or
    # as a prefix before a verb it knows ("Reindex", "Backport").
    return head.endswith(_EN_VERB_SUFFIXES) or any(
        head.startswith(prefix) and len(head) > len(prefix) + 2
        and _english_base_verb(head[len(prefix):]) for prefix in _EN_VERB_PREFIXES)


@functools.cache
def _english_lemmas(word: str) -> dict[str, tuple[str, ...]]:
    import lemminflect  # type: ignore[import-untyped]  # only on a word the lists miss

    lemmas: dict[str, tuple[str, ...]] = lemminflect.getAllLemmas(word)
    return lemmas


def _english_base_verb(word: str) -> bool:
    """A base form is its own lemma: "take", "set"; not "monitoring", "added"."""
    return word in _english_lemmas(word).get("VERB", ())


def _english_noun(word: str) -> bool:
    return word in _english_lemmas(word).get("NOUN", ())


def _english_known(word: str) -> bool:
    return bool(_english_lemmas(word))


# --- French ------------------------------------------------------------------------------

_FR_NEGATIONS = frozenset({"pas", "plus", "jamais", "point"})
# Adverbs that may come before the infinitive ("Mieux documenter…", "Toujours prévenir…");
# any word in -ment too, when an infinitive follows it.
_FR_ADVERBS = frozenset({"mieux", "bien", "toujours", "aussi", "également", "davantage",
                         "d'abord", "ensuite", "désormais", "dorénavant", "encore", "vite",
                         "enfin", "puis"})
_FR_INFINITIVE = ("er", "ir", "re", "oir")
# Prefixes that make a verb of a verb ("sous-traiter", "ré-indexer").
_FR_PREFIXES = frozenset({"sous", "sur", "re", "ré", "contre", "auto", "co", "pré", "dé",
                          "entre", "inter", "post", "mal", "multi", "télé"})


def _french_start(tokens: list[str], verbs: Collection[str],
                  not_verbs: Collection[str]) -> bool:
    # "Systématiquement vérifier…": the infinitive follows the adverbs; "Changement de…",
    # "Déploiement du…" are nouns, with no infinitive after them.
    index = 0
    while (index + 1 < len(tokens) and index < 2 and tokens[index] not in verbs
           and (tokens[index] in _FR_ADVERBS or tokens[index].endswith("ment"))):
        index += 1
    return _french_verb_phrase(tokens[index:], verbs, not_verbs)


def _french_verb_phrase(tokens: list[str], verbs: Collection[str],
                        not_verbs: Collection[str]) -> bool:
    word, rest = tokens[0], tokens[1:]
    # "N’utiliser que…", "Ne plus déployer…", then "s’assurer", "se doter", "s’en tenir".
    if word.startswith("n'") and len(word) > 2:
        word = word[2:]
    elif word == "ne" and rest and rest[0] in _FR_NEGATIONS:
        word, rest = (rest[1], rest[2:]) if len(rest) > 1 else (word, [])
    if word.startswith("s'") and len(word) > 2:
        word = word[2:]
    elif word == "se" and rest:
        word, rest = rest[0], rest[1:]
    if word in ("en", "y") and rest:  # "S’en remettre à…", "S’y tenir"
        word = rest[0]
    return french_verb(word, verbs, not_verbs)


def french_verb(word: str, verbs: Collection[str] = (), not_verbs: Collection[str] = ()) -> bool:
    """Tell whether a French word is an infinitive."""
    word = _normal(word)
    if word in verbs:
        return True
    if word in not_verbs or not word.endswith(_FR_INFINITIVE):
        return False
    return _french_infinitive(word)


@functools.cache
def _french_dictionary() -> Any:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("fr")


def _french_forms(word: str) -> tuple[str, ...]:
    """Return forms a verb of this infinitive has: future, conditional, participles, present."""
    if word.endswith("oir"):
        stem = word[:-3]  # recevoir: recevra, recevant, reçu; voir: voyant
        return (word[:-2] + "a", stem + "ra", stem + "vra", stem + "ant", stem + "yant",
                stem + "u", stem + "oit", stem + "ons")
    if word.endswith("er"):
        stem = word[:-2]
        return (word + "a", word + "ons", word + "ait", word + "ai", stem + "ant", stem + "é",
                stem + "ée", stem + "és", stem + "ons", stem + "ez", stem + "ent", stem + "e")
    if word.endswith("ir"):
        stem = word[:-2]
        return (word + "a", word + "ons", word + "ait", stem + "issant", stem + "ant",
                stem + "i", stem + "it", stem + "is", stem + "issons", stem + "issent",
                stem + "ons")
    stem = word[:-2]  # -re: prendre -> prendra, mettre -> mettant
    return (word[:-1] + "a", word[:-1] + "ons", word[:-1] + "ait", word[:-1] + "ai",
            stem + "ant", stem + "ons", stem + "ez", stem + "it", stem + "u")


@functools.cache
def _french_infinitive(word: str) -> bool:
    """Decide an infinitive-looking word with the dictionary, or by its ending if unknown."""
    dictionary = _french_dictionary()
    lemma = dictionary.get(word)
    if lemma is None:
        if "-" in word:
            return _french_compound(word)
        return not word.endswith("ure")  # "dockeriser", "monitorer"; not "signature"
    if lemma != word:
        # Another spelling of an infinitive ("re-vérifier"), not a form of another word.
        return lemma[-2:] == word[-2:] and dictionary.get(lemma) == lemma \
            and _french_infinitive(lemma)
    if any(dictionary.get(form) == word for form in _french_forms(word)):
        return True  # "ajouter": ajoutera, ajoutant; "prendre": prendra
    if dictionary.get(word + "s") == word or dictionary.get(word + "x") == word:
        return False  # a plural: "dossier", "calendrier", "registre"
    if "-" in word:
        return _french_compound(word)
    # A rare word the dictionary holds alone: most such -ier, -ière, -aire words are nouns.
    return _rare_infinitive(word)


def _french_compound(word: str) -> bool:
    """A prefix before a verb makes a verb ("sous-équiper"); other compounds are nouns."""
    prefix, _sep, last = word.rpartition("-")
    return prefix in _FR_PREFIXES and french_verb(last)


def _rare_infinitive(word: str) -> bool:
    if word.endswith("ier"):
        return word.endswith(("fier", "plier", "phier"))
    if word.endswith("re"):
        return (word.endswith(("dre", "ttre", "aître", "uire", "ire", "ore"))
                and not word.endswith(("aire", "oire", "ière", "ure")))
    return True


# --- Measures ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _MeasureWords:
    """The words of one language that make a measure of a number."""

    numbers: tuple[str, ...]  # number words besides digits
    articles: tuple[str, ...]  # "an hour", "d'une heure": one, before a unit only
    units: tuple[str, ...]  # regexes
    time_units: tuple[str, ...]  # after "per", "par": a frequency
    thresholds: tuple[str, ...]  # before a number: a bound
    targets: tuple[str, ...]  # before a count of what there will be: "to 5 nodes"
    per: tuple[str, ...]


_MEASURE_WORDS = {
    "en": _MeasureWords(
        numbers=("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty",
                 "sixty", "ninety", "hundred", "thousand", "a dozen"),
        articles=("a", "an", "one", "half an", "half a"),
        units=("ms", "msec", "milliseconds?", "μs", "ns", "s", "secs?", "seconds?", "mins?",
               "minutes?", "h", "hrs?", "hours?", "d", "days?", "nights?", "weeks?",
               "months?", "quarters?", "years?", "%", "percent", "per cent", "nines",
               "times", "x", "[kmgtp]i?b", "[kmgt]bps", "[kmgt]bit/s", "bytes?", "rps",
               "qps", "tps", "iops", "requests?(?:/s| per second)?", "°c", "[km]?w", "kwh",
               "volts?"),
        time_units=("second", "minute", "hour", "day", "night", "week", "month", "quarter",
                    "year", "sprint"),
        thresholds=("within", "under", "below", "above", "over", "beyond", "at least",
                    "at most", "no more than", "no less than", "less than", "more than",
                    "fewer than", "greater than", "lower than", "higher than", "up to",
                    "exceeds?", "exceeding", "<", ">", "<=", ">=", "≤", "≥"),
        targets=("with", "to", "into"),
        per=("per", "a", "an")),
    "fr": _MeasureWords(
        numbers=("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
                 "onze", "douze", "quinze", "vingt", "trente", "quarante", "cinquante",
                 "soixante", "cent", "mille", "une dizaine", "une douzaine"),
        articles=("un", "une", "d'un", "d'une"),
        units=("ms", "s", "secondes?", "min", "minutes?", "h", "heures?", "j", "jours?",
               "nuits?", "semaines?", "mois", "trimestres?", "semestres?", "ans?",
               "années?", "%", "pour cent", "fois", "neuf", "[kmgtp]i?o", "octets?",
               "[kmgt]bit/s", "requêtes?(?:/s| par seconde)?", "°c", "[km]?w", "kwh",
               "volts?"),
        time_units=("seconde", "minute", "heure", "jour", "nuit", "semaine", "mois",
                    "trimestre", "semestre", "an", "année", "sprint"),
        thresholds=("en moins de", "en moins d'", "au moins", "au plus", "au minimum",
                    "au maximum", "sous", "moins de", "moins d'", "plus de", "plus d'",
                    "dans les", "dans un délai de", "dans un délai d'", "jusqu'à",
                    "inférieure? à", "supérieure? à", "au-delà de", "au-dessus de",
                    "au-dessous de", "en dessous de", "à moins de", "pas plus de",
                    "pas plus d'", "dépassant", "dépasse", "<", ">", "<=", ">=", "≤", "≥"),
        targets=("avec", "à"),
        per=("par", "tous les", "toutes les")),
}

# A number of its own: not a ticket, a version or a name ("JIRA-123", "v2", "p99").
_NUMERAL = r"(?<![\w.,/#-])\d+(?:[.,]\d+)*"


@functools.cache
def _measure_pattern(lang: str) -> re.Pattern:
    """Return the pattern of a measure: a number with a unit, a bound, a frequency."""
    words = _MEASURE_WORDS.get(lang, _MEASURE_WORDS["en"])

    def either(phrases: Sequence[str]) -> str:
        # The phrases are regexes: a space matches any run of spaces, ' matches ’ too.
        alternatives = (phrase.replace(" ", r"\s+").replace("'", "['’]")
                        for phrase in phrases)
        return "(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + ")"

    start = r"(?<![\w’'])"
    unit = rf"{either(words.units)}(?![^\W\d_])"
    word_number = rf"{start}{either(words.numbers + words.articles)}"
    quantity = rf"{_NUMERAL}\s*-?\s*{unit}|{word_number}(?:\s+|-){unit}"
    number = rf"(?:{_NUMERAL}|{start}{either(words.numbers)}(?!\w))"
    bound = rf"{start}{either(words.thresholds)}\s*{number}"
    # "to 5 nodes", "avec deux onduleurs": a count of what there will be (not "to 2.0").
    count = rf"(?:(?<![\w.,/#-])\d+(?![\w.,])|{start}{either(words.numbers)}(?!\w))"
    target = rf"{start}{either(words.targets)}\s+{count}\s+[^\W\d_]"
    frequency = rf"{start}{either(words.per)}\s+{either(words.time_units)}s?(?!\w)"
    return re.compile(rf"{quantity}|{bound}|{target}|{frequency}", re.IGNORECASE)


def has_measure(text: str, lang: str, measures: re.Pattern | None = None) -> bool:
    """Tell whether an action item gives a measure: a quantity, a bound or a frequency.

    `measures` finds the words of the `measures` list ("daily", "chaque"), which are
    frequencies. A bare count ("the 3 clusters"), a ticket or a version ("JIRA-123",
    "v2", "RFC 2119") is no measure.
    """
    if measures is not None and measures.search(text):
        return True
    return _measure_pattern(lang).search(text) is not None
