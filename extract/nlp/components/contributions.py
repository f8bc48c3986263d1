"""`pg_contributions`: the paper's own named model / method / dataset.

Evidence, strongest first: an appositive after the name ("we introduce X, a ... framework"), a head noun
before it ("a new benchmark, dubbed X"), a head noun right after it ("the X model"), the title's subtitle
("X: A Benchmark for ..."). Without any, the name is a METHOD. Phrases typed as a task or metric are dropped.
"""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extract.nlp import spans
from extract.nlp.components.common import (
    NAME_TOKEN,
    TokenText,
    add_candidate,
    covered_tokens,
    first_head,
    head_of,
    occurrences,
    sentence_starts,
    surface_key,
    token_range,
)
from extract.nlp.components.title import title_end
from extract.nlp.gazetteer import stoplist
from extract.nlp.lexicon import first_type_noun, head_type, word_lists, words

TRIGGERS = word_lists()["contribution_triggers"]
NAMING = word_lists()["naming_words"]
SCAN_STOP = words("scan_stops")
PREPOSITIONS = words("prepositions")
COMMON_CAPITALISED = words("common_capitalised")
WEIGHTS_CUE = re.compile(
    r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(words("weights_cues"))) + r")(?![\w-])",
    re.IGNORECASE,
)
WEIGHTS_WINDOW = 6  # tokens either side of a mention
_TITLE_PREFIX = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s")

EVIDENCE_APPOSITIVE, EVIDENCE_BEFORE, EVIDENCE_AFTER, EVIDENCE_TITLE, EVIDENCE_NONE = 4, 3, 2, 1, 0
_VERSION_TOKEN = re.compile(r"v?\d+(\.\d+)*[BMK]?|XL|XXL")
_APPOSITIVE_MARKS = frozenset([",", ":", "(", "-", "—"])
_NAME_FOLLOWERS = frozenset([",", ":", "("])


def _name_end(tokens: TokenText, start: int, limit: int) -> int:
    """Extend a name over glued pieces (Emu3-Gen, X-3B-Chat) and version tokens (wav2vec 2.0)."""
    end = start + 1
    while end < limit:
        text = tokens.word(end)
        glued = tokens.glued(end - 1) and (text == "-" or text.isalpha() or tokens.doc[end].like_num)
        if glued or _VERSION_TOKEN.fullmatch(text):
            end += 1
            continue
        break
    while end > start + 1 and tokens.word(end - 1) == "-":
        end -= 1
    return end


def _title_case_run(tokens: TokenText, start: int, limit: int) -> int:
    """End of a run of 2+ capitalised tokens (hyphens allowed) starting at `start`, else start."""
    end = start
    while end < limit:
        text = tokens.word(end)
        if not (
            text[:1].isupper()
            or (text == "-" and end > start)
            or (text == "to" and tokens.word(end - 1) == "-" and not tokens.spaced(end))
        ):
            break
        end += 1
    return end if end - start >= 2 and tokens.word(end - 1) != "-" else start


def _parenthesised_acronym(tokens: TokenText, start: int, end: int, limit: int) -> tuple[int, int]:
    """ "the Emotional Adaptation for Audio-driven Talking-head (EAT) method": the name is the acronym."""
    for j in range(end, min(limit - 2, end + 10)):
        text = tokens.word(j)
        if text.lower() in SCAN_STOP or text == ",":
            break
        if text == "(" and tokens.word(j + 2) == ")" and NAME_TOKEN.match(tokens.word(j + 1)):
            return j + 1, j + 2
    return start, end


def _is_name_start(tokens: TokenText, i: int, text: str, covered: set[int]) -> bool:
    if i in covered:
        return False
    if NAME_TOKEN.match(text):
        return True
    if not text.istitle() or text in COMMON_CAPITALISED:
        return False
    return i + 1 < tokens.size and tokens.word(i + 1) in _NAME_FOLLOWERS


def _evidence_after(tokens: TokenText, end: int, limit: int) -> tuple[str | None, int]:
    if end < limit and tokens.word(end) in _APPOSITIVE_MARKS:
        words = tokens.words(end + 1, min(limit, end + 9))
        if tokens.word(end) == "(" and ")" in words:  # skip "X (XL), a model": look past the parenthesis
            close = words.index(")")
            words = tokens.words(end + close + 2, min(limit, end + close + 11))
            if words[:1] == [","]:
                words = words[1:]
        for stop in ("that", "which", "to", "."):
            if stop in words:
                words = words[: words.index(stop)]
        found = first_head(words)
        if found:
            return found, EVIDENCE_APPOSITIVE
    if end < limit:
        found = head_of(tokens.word(end))
        if found:
            return found, EVIDENCE_AFTER
    return None, EVIDENCE_NONE


def _subtitle_type(subtitle: str) -> str | None:
    words = subtitle.replace("-", " ").split()
    head: list[str] = []
    for word in words:
        if word.lower() in PREPOSITIONS:
            break
        head.append(word.strip(",.?!"))
    found = head_type(head) or first_type_noun(words[:3])
    return found


def _presented_with_weights(tokens: TokenText, surface: str, starts: list[int]) -> bool:
    """Words right around a mention speak of its parameters, weights or pre-training ("X is pre-trained
    on ...", "X-7B weights"): the paper presents a model (guideline)."""
    token_first = tokens.starts
    for start, end in occurrences(tokens.text, surface):
        first = bisect.bisect_right(token_first, start) - 1
        last = bisect.bisect_right(token_first, end - 1)
        index = bisect.bisect_right(starts, first) - 1
        sentence_end = starts[index + 1] if index + 1 < len(starts) else tokens.size
        window_start = max(starts[index], first - WEIGHTS_WINDOW)
        window_end = min(sentence_end, last + WEIGHTS_WINDOW)
        if window_end > window_start and WEIGHTS_CUE.search(tokens.surface(window_start, window_end)):
            return True
    return False


class ContributionFinder:
    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("TRIGGER", [nlp.make_doc(word) for word in TRIGGERS])
        self.matcher.add("NAMING", [nlp.make_doc(word) for word in NAMING])
        self.naming_id = nlp.vocab.strings["NAMING"]

    def __call__(self, doc: Doc) -> Doc:
        found: dict[str, tuple[str, int, int, int]] = {}  # surface -> (type, evidence, start_char, end_char)
        rejected: list[str] = []
        covered = covered_tokens(doc, spans.CURATED_GROUPS)  # a vocabulary name may be the paper's own (MAPS)
        stops = stoplist()
        tokens = TokenText(doc)

        def offer(start: int, end: int, entity_type: str | None, evidence: int) -> None:
            surface = tokens.surface(start, end)
            key = surface_key(surface)
            if not key or key in stops:
                return
            previous = found.get(surface)
            if previous is None or evidence > previous[1]:
                found[surface] = (
                    entity_type or "METHOD",
                    evidence,
                    tokens.starts[start],
                    tokens.ends[end - 1],
                )

        starts = sentence_starts(doc)  # once: Token.sent rescans the doc
        matches = self.matcher(doc)
        naming_id = self.naming_id
        naming_at = [start for match_id, start, _ in matches if match_id == naming_id]
        for match_id, start, _ in matches:
            index = bisect.bisect_right(starts, start) - 1
            sentence_start = starts[index]
            limit = starts[index + 1] if index + 1 < len(starts) else len(doc)
            naming = match_id == naming_id
            for i in range(start + 1, min(limit, start + (3 if naming else 12))):
                text = tokens.word(i)
                if text.lower() in SCAN_STOP:
                    break
                if text.islower():  # no capital: no name starts here (the checks below, all false)
                    continue
                capitalised = text[:1].isupper()
                run_end = _title_case_run(tokens, i, limit) if capitalised and i not in covered else i
                # right after "called" / "dubbed" any capitalised word starts the name
                named = naming and capitalised and text not in COMMON_CAPITALISED
                if not (named or _is_name_start(tokens, i, text, covered) or run_end > i):
                    continue
                end = max(_name_end(tokens, i, limit), run_end)
                if run_end > i and head_of(tokens.word(end - 1)) == "SKIP":
                    break
                if run_end > i and not naming and any(end <= n < min(limit, end + 12) for n in naming_at):
                    break  # "a Facial Decoupled Diffusion model ... called FD2Talk": the name follows
                i, end = _parenthesised_acronym(tokens, i, end, limit)
                # "a Face Neural Volume Rendering (FNeVR) network": the evidence follows the parenthesis
                after = end + 1 if end < limit and tokens.word(end) == ")" else end
                entity_type, evidence = _evidence_after(tokens, after, limit)
                if evidence < EVIDENCE_APPOSITIVE:
                    window = reversed(tokens.words(max(sentence_start, i - (12 if naming else 8)), i))
                    if naming:  # "a ... model for talking head generation called X": past the task
                        window = (w for w in window if head_of(w) != "SKIP")
                    before = first_head(list(window))
                    if before:
                        entity_type, evidence = before, EVIDENCE_BEFORE
                if run_end > i and not entity_type:
                    entity_type = head_of(tokens.word(end - 1))
                if entity_type != "SKIP":
                    offer(i, end, entity_type, evidence)
                else:
                    rejected.append(tokens.surface(i, end))
                break

        self._title_name(doc, tokens, offer)
        for surface, (entity_type, evidence, _, _) in list(found.items()):
            if (
                evidence <= EVIDENCE_TITLE
                and entity_type == "METHOD"
                and _presented_with_weights(tokens, surface, starts)
            ):
                found[surface] = ("MODEL", evidence, 0, 0)
        for surface, (entity_type, _, _, _) in found.items():
            for start, end in occurrences(tokens.text, surface):
                add_candidate(doc, spans.CONTRIBUTION, start, end, entity_type, surface)
        for surface in rejected:
            for start, end in occurrences(tokens.text, surface):
                add_candidate(doc, spans.REJECTED, start, end, "", surface)
        return doc

    def _title_name(self, doc: Doc, tokens: TokenText, offer) -> None:  # noqa: ANN001 - local callback
        title = tokens.text[: title_end(doc)]
        if ":" not in title:  # (every `_TITLE_PREFIX` match holds one; the lazy scan is ~2 us)
            return
        match = _TITLE_PREFIX.match(title)
        if not match:
            return
        prefix = match.group(1)
        span = token_range(doc, match.start(1), match.end(1))  # `doc.char_span` (strict)
        if span is None or span[1] - span[0] > 5:
            return
        name_like = any(NAME_TOKEN.match(tokens.word(i)) for i in range(*span))
        mentioned = next(occurrences(tokens.text[len(title) :], prefix), None) is not None
        if not name_like and not (span[1] - span[0] == 1 and prefix.istitle() and mentioned):
            return
        entity_type = _subtitle_type(title[match.end() :])
        if entity_type != "SKIP":
            offer(span[0], span[1], entity_type, EVIDENCE_TITLE if entity_type else EVIDENCE_NONE)


@Language.factory("pg_contributions", assigns=["doc.spans"], requires=["token.is_sent_start"])
def make_contributions(nlp: Language, name: str) -> ContributionFinder:
    return ContributionFinder(nlp)
