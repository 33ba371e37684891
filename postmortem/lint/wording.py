"""Blameless wording: blame, hindsight, single root causes, and people named in causes.

A wording rule reads the writer's own words only: quotations, code, links, block quotes
and the titles of documents are blanked out first (`Context.own_words`), and a phrase
the text denies ("nobody was to blame", "no single root cause") is not reported.

Some phrases blame or judge only according to whom they are aimed at: "blamed" a
person, or "blamed" a Windows update. Those are in the lists `<list>_before` and
`<list>_after` of the language: the party is the noun phrase written before the phrase
(back to the start of its clause) or after it (up to the first preposition), and the
phrase is reported when that party is a person, a role, a team or an organisation of
people — a word of the `people` list, a first name, a title such as "Dr", or a name
the record gives elsewhere — or, for hindsight, when the phrase is passive ("should have
been tested" judges whoever did not). A party that is not written at all is reported:
there is nothing to show that it is not a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from postmortem.i18n import N_, _
from postmortem.lint.context import Context, Hit, alternatives, mask_code, quote
from postmortem.record.model import Incident

CAUSE_FIELDS = ("title", "summary", "detail")

_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z][\w.-]*\w(?![\w/@])")
#: Chat mentions of a whole channel, not of a person.
_CHANNEL_MENTIONS = frozenset({"@here", "@channel", "@everyone", "@all", "@room"})
_CAPITALISED = r"[^\W\d_][\w'’-]*"  # checked for its capital in code: re has no \p{Lu}
_ARTICLES = frozenset({"the", "le", "la", "les", "des", "du", "au", "aux"})
#: Words of a handle that make it a group's alias, not a person's ("@oncall-payments").
_GROUP_HANDLE_WORDS = frozenset({
    "oncall", "on-call", "team", "teams", "ops", "sre", "support", "squad", "admins", "all",
    "devs", "eng", "engineering", "channel", "group", "equipe", "équipe", "astreinte",
})

_WORDING = {
    "blame-language": ("blame", N_("{phrase} blames or judges people"),
                       N_("describe the conditions that made the action likely (tools, time, "
                          "information, procedures), not the person")),
    "counterfactual": ("counterfactual",
                       N_("{phrase} judges with hindsight what people did not do"),
                       N_("describe what people did and why it made sense to them at the time")),
    "root-cause": ("root_cause", N_("{phrase} frames the incident as having one root cause"),
                   N_("describe the trigger and the contributing factors under cause")),
}

# A title's abbreviation ("M.", "Dr.") is a word: its period ends no sentence.
_WORD = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Pr|Prof|St|M|Mme|Mlle|Me)\.|[^\W_][\w’'-]*|[.,;:!?()\[\]—–]")
#: Words an interrogative clause starts with: a denial reaches across them ("does not
#: ask who was at fault").
_QUESTION_WORDS = frozenset({"who", "what", "whom", "whether", "that", "qui", "quoi", "que"})
#: Endings of nouns that name a person by their trade ("pharmacist", "anesthésiste").
_PERSON_ENDINGS = ("ist", "ists", "ician", "icians", "ologist", "ologists", "iste", "istes",
                   "icien", "iciens", "icienne", "iciennes", "logue", "logues")
#: Words that deny what follows them in the same clause ("not human error", "n'est pas").
_NEGATIONS = frozenset({
    "no", "not", "never", "nobody", "none", "neither", "nor", "without", "nothing",
    "rarely", "seldom", "cannot", "instead", "rather", "isn't", "wasn't", "aren't",
    "weren't", "don't", "doesn't", "didn't", "won't", "pas", "ni", "jamais", "aucun",
    "aucune", "sans", "non", "ne", "n", "plutôt", "rien", "nul", "nulle",
})
#: Words that start a clause: a party or a denial does not reach across them.
_CLAUSE_WORDS = frozenset({
    "because", "since", "but", "and", "when", "while", "so", "although", "though",
    "whereas", "after", "before", "until", "if", "that", "which", "who", "whom", "where",
    "car", "mais", "et", "parce", "puisque", "lorsque", "quand", "alors", "donc", "bien",
    "que", "qui", "où", "si", "après", "avant",
})
#: Words that end the noun phrase of a party ("a change made by the engineer").
_PHRASE_ENDS = _CLAUSE_WORDS | frozenset({
    "by", "for", "from", "with", "in", "on", "at", "during", "of", "about", "over", "under",
    "to", "made", "caused", "pushed", "deployed", "written", "as",
    "par", "pour", "avec", "dans", "sur", "pendant", "lors", "de", "du", "des", "faite",
    "fait", "poussée", "déployée", "déployé", "écrite", "écrit", "comme",
})
_AUXILIARIES = frozenset({
    "was", "were", "is", "are", "be", "been", "being", "has", "have", "had", "will",
    "would", "clearly", "also", "partly", "largely", "mostly", "entirely", "probably",
    "est", "sont", "était", "étaient", "a", "ont", "été", "serait", "seraient", "fut",
    "sera", "clairement", "aussi", "en", "partie", "largement", "probablement",
})
_DETERMINERS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "its", "le", "la", "les", "l",
    "un", "une", "des", "ce", "cet", "cette", "ces", "du", "au", "aux", "à", "son", "sa",
    "ses",
})
_PASSIVE = re.compile(r"\s+(?:been|être)\b", re.IGNORECASE)


def check_wording(context: Context) -> Iterator[Hit]:
    """Report phrases of prose that blame, judge with hindsight or name one root cause."""
    judge = _PartyJudge(context)
    rules = [(rule, message, hint, _normalised(context.words.get(f"{words}_before", ())),
              _normalised(context.words.get(f"{words}_after", ())),
              context.phrases(words, f"{words}_before", f"{words}_after"))
             for rule, (words, message, hint) in _WORDING.items()]
    for loc, text, _cites in context.prose:
        searched = context.own_words(text)
        for rule, message, hint, before, after, pattern in rules:
            for match in pattern.finditer(searched):
                if _denied(searched, match.start()):
                    continue
                phrase = _normal(match.group())
                if phrase in before or phrase in after:
                    passive = rule == "counterfactual" and bool(
                        _PASSIVE.match(text, match.end()))
                    if not passive and not judge.aims_at_people(text, match, phrase in after):
                        continue
                yield Hit(rule, loc, _(message, phrase=quote(match.group())), _(hint),
                          match.start())


class _PartyJudge:
    """Tells whether the party next to a phrase is a person, a role or a team."""

    def __init__(self, context: Context):
        words = context.words
        self.people = _normalised(words.get("people", ()))
        self.first_names = set(words["first_names"])
        self.honorifics = {word.rstrip(".") for word in words["honorifics"]}
        self.named = {part for name in _people_named_in(context.incident, self.first_names)
                      for part in name.split()}

    def aims_at_people(self, text: str, match: re.Match, after: bool) -> bool:
        """Tell whether the party of the phrase is people, or is not written."""
        party = _party_after(text, match.end()) if after else []
        if not party:
            party = _party_before(text, match.start())
        return not party or any(self._is_person(word) for word in party)

    def _is_person(self, word: str) -> bool:
        if word in self.first_names or word.rstrip(".") in self.honorifics or word in self.named:
            return True
        lowered = re.sub(r"^(?:[ldjnsmtc]|qu)['’]", "", word.lower())
        lowered = re.sub(r"(?:['’]s|s['’])$", "", lowered)
        forms = {lowered, lowered.replace("’", "'")}
        forms |= {form[:-1] for form in forms if form.endswith(("s", "x"))}
        forms |= {part for form in forms for part in form.split("-")}
        return bool(forms & self.people) or (
            len(lowered) > 5 and lowered.endswith(_PERSON_ENDINGS) and not lowered.endswith(
                ("list", "lists")))


def _tokens(text: str) -> list[str]:
    return [match.group() for match in _WORD.finditer(text)]


def _party_after(text: str, end: int) -> list[str]:
    """Return the noun phrase after a phrase: up to punctuation or a preposition."""
    party: list[str] = []
    for token in _tokens(text[end:end + 200]):
        lowered = token.lower()
        if not token[0].isalnum() or (party and lowered in _PHRASE_ENDS):
            break
        if not party and lowered in _PHRASE_ENDS - _DETERMINERS:
            break
        party.append(token)
        if len(party) >= 8:
            break
    return _content(party)


def _party_before(text: str, start: int) -> list[str]:
    """Return the subject before a phrase: from the start of its clause to the first
    preposition, auxiliaries left out."""
    tokens = _tokens(text[max(0, start - 300):start])
    clause: list[str] = []
    for token in reversed(tokens):
        if not token[0].isalnum() or token.lower() in _CLAUSE_WORDS:
            break
        clause.insert(0, token)
    while clause and clause[-1].lower() in _AUXILIARIES:
        clause.pop()
    subject: list[str] = []
    for token in clause:
        if subject and token.lower() in _PHRASE_ENDS:
            break
        subject.append(token)
    return _content(subject)


def _content(words: list[str]) -> list[str]:
    """Return the words of a phrase that can name a party: determiners left out."""
    return [word for word in words
            if re.sub(r"^(?:[ld]|qu)['’]", "", word.lower()) not in _DETERMINERS]


def _denied(text: str, start: int) -> bool:
    """Tell whether a word of denial comes before the phrase in its clause (four words)."""
    tokens = _tokens(text[max(0, start - 120):start])
    for token in reversed(tokens[-4:]):
        lowered = token.lower()
        if not token[0].isalnum() or lowered in _CLAUSE_WORDS - _QUESTION_WORDS:
            return False
        parts = re.split(r"['’]", lowered)
        if lowered in _NEGATIONS or parts[0] in _NEGATIONS or lowered.endswith(("n't", "n’t")):
            return True
    return False


def _normal(phrase: str) -> str:
    return " ".join(phrase.lower().replace("’", "'").split())


def _normalised(phrases: tuple[str, ...] | list[str]) -> frozenset[str]:
    return frozenset(_normal(phrase) for phrase in phrases)


def check_named_individuals(context: Context) -> Iterator[Hit]:
    """Report people named in the trigger or a contributing factor."""
    count = len(context.incident.cause.contributing_factors)
    factors = [("trigger",)] + [("contributing_factors", index) for index in range(count)]
    finders = _name_finders(context)
    hint = _("name the role and the conditions (e.g. 'the on-call engineer'), not the person")
    for factor in factors:
        for key in CAUSE_FIELDS:
            loc = ("cause",) + factor + (key,)
            text = context.values.get(loc)
            if not isinstance(text, str):
                continue
            # Code and addresses name no one ("@types/node", "`git blame`").
            text = mask_code(text)
            seen: set[int] = set()
            for finder in finders:
                for start, name in finder(text):
                    if start not in seen:
                        seen.add(start)
                        yield Hit("named-individual", loc,
                                  _("{name} names a person in a cause", name=quote(name)),
                                  hint, start)

def _name_finders(context: Context) -> list:
    """Return functions that yield (offset, name) for each way a text can name a person."""
    words = context.words
    places = {word.lower() for word in words["place_words"]}
    titles, first_names = alternatives(words["honorifics"]), alternatives(words["first_names"])
    titled = re.compile(rf"(?<!\w)(?:{titles})(?!\w)\.?\s+{_CAPITALISED}")
    first_last = re.compile(rf"(?<![\w-])(?:{first_names})\s+({_CAPITALISED})")
    lone = re.compile(rf"(?<![\w-])(?:{first_names})(?![\w-])")
    known = _people_named_in(context.incident, set(words["first_names"]))
    named = re.compile(rf"(?<!\w)(?:{alternatives(known)})(?!\w)") if known else None

    def by_title(text: str) -> Iterator[tuple[int, str]]:
        for match in titled.finditer(text):
            if match.group().split()[-1][0].isupper():
                yield match.start(), match.group()

    def by_known_name(text: str) -> Iterator[tuple[int, str]]:
        for match in named.finditer(text) if named else ():
            yield match.start(), match.group()

    def is_place(text: str, start: int, end: int) -> bool:
        """Tell whether the name is part of the name of a place, a shop or a company."""
        before = text[:start].split()[-1:]
        # A person is named without an article: "the John Lewis stores" is a shop.
        if before and before[0].lower() in _ARTICLES:
            return True
        # "John Radcliffe Hospital", "Ronald Reagan Washington National Airport".
        following = []
        for word in text[end:].split()[:5]:
            following.append(word)
            if not word[:1].isupper():
                break
        return any(re.sub(r"^\w['’]", "", word.lower().strip(".,;:()")) in places
                   for word in before + following)

    def by_first_name(text: str) -> Iterator[tuple[int, str]]:
        for match in first_last.finditer(text):
            surname = match.group(1)
            if not surname[0].isupper() or surname.isupper():
                continue
            if not is_place(text, match.start(), match.end()):
                yield match.start(), match.group()

    def by_first_name_alone(text: str) -> Iterator[tuple[int, str]]:
        # "Tom ran the migration": a first name, then a word in lower case.
        for match in lone.finditer(text):
            following = text[match.end():].split()[:1]
            before = text[:match.start()].split()[-1:]
            if (following and following[0][:1].islower()
                    and not (before and before[0][:1].isupper())  # a part of a longer name
                    and not is_place(text, match.start(), match.end())):
                yield match.start(), match.group()

    def by_handle(text: str) -> Iterator[tuple[int, str]]:
        for match in _HANDLE.finditer(text):
            handle = match.group().lower()
            parts = set(re.split(r"[-_.]", handle[1:]))
            # "@here", "@dependabot", "@oncall-payments" reach a channel, a bot, a group.
            if (handle in _CHANNEL_MENTIONS or handle.endswith("bot")
                    or parts & _GROUP_HANDLE_WORDS):
                continue
            yield match.start(), match.group()

    return [by_title, by_known_name, by_first_name, by_first_name_alone, by_handle]


def _people_named_in(incident: Incident, first_names: set[str]) -> set[str]:
    """Return the names, and surnames, of people the record names elsewhere."""
    review = incident.review
    written = [person.name for person in (*review.authors, *review.reviewers)]
    written += [approval.name for approval in review.approvals]
    written += [communication.by for communication in incident.communications]
    written += [action.owner for action in incident.actions]
    names = set()
    for text in written:
        # "Frédéric Valletoux, ministre délégué" names a person; "Incident Commander" does not.
        candidate = re.split(r"[,(]", text, maxsplit=1)[0].strip()
        parts = candidate.split()
        if (2 <= len(parts) <= 4 and parts[0] in first_names
                and all(part[0].isupper() for part in parts)):
            names.add(candidate)
            if len(parts[-1]) >= 3:
                names.add(parts[-1])
    return names
