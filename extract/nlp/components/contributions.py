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
from spacy.tokens import Doc, Token

from extract.nlp import spans
from extract.nlp.components.common import (
    NAME_TOKEN,
    add_candidate,
    occurrences,
    sentence_starts,
    surface_key,
    text_of,
    token_at,
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


def _name_end(doc: Doc, start: int, limit: int) -> int:
    """Extend a name over glued pieces (Emu3-Gen, X-3B-Chat) and version tokens (wav2vec 2.0)."""
    end = start + 1
    while end < limit:
        token = doc[end]
        glued = not doc[end - 1].whitespace_ and (token.text == "-" or token.is_alpha or token.like_num)
        version = bool(re.fullmatch(r"v?\d+(\.\d+)*[BMK]?|XL|XXL", token.text))
        if glued or version:
            end += 1
            continue
        break
    while end > start + 1 and doc[end - 1].text == "-":
        end -= 1
    return end


def _title_case_run(doc: Doc, start: int, limit: int) -> int:
    """End of a run of 2+ capitalised tokens (hyphens allowed) starting at `start`, else start."""
    end = start
    while end < limit and (
        doc[end].text[:1].isupper()
        or (doc[end].text == "-" and end > start)
        or (doc[end].text == "to" and doc[end - 1].text == "-" and not doc[end].whitespace_)
    ):
        end += 1
    return end if end - start >= 2 and doc[end - 1].text != "-" else start


def _parenthesised_acronym(doc: Doc, start: int, end: int, limit: int) -> tuple[int, int]:
    """ "the Emotional Adaptation for Audio-driven Talking-head (EAT) method": the name is the acronym."""
    for j in range(end, min(limit - 2, end + 10)):
        if doc[j].lower_ in SCAN_STOP or doc[j].text == ",":
            break
        if doc[j].text == "(" and doc[j + 2].text == ")" and NAME_TOKEN.match(doc[j + 1].text):
            return j + 1, j + 2
    return start, end


def _is_name_start(token: Token, covered: set[int]) -> bool:
    if token.i in covered:
        return False
    if NAME_TOKEN.match(token.text):
        return True
    nxt = token.nbor(1).text if token.i + 1 < len(token.doc) else ""
    return token.text.istitle() and token.text not in COMMON_CAPITALISED and nxt in {",", ":", "("}


def _covered_tokens(doc: Doc) -> set[int]:
    covered: set[int] = set()
    for group in spans.CURATED_GROUPS:  # a vocabulary name may be the paper's own (MAPS)
        for span in doc.spans.get(group, []):
            covered.update(range(span.start, span.end))
    return covered


def _evidence_after(doc: Doc, end: int, limit: int) -> tuple[str | None, int]:
    if end < limit and doc[end].text in {",", ":", "(", "-", "—"}:
        words = [t.text for t in doc[end + 1 : min(limit, end + 9)]]
        if doc[end].text == "(" and ")" in words:  # skip "X (XL), a model": look past the parenthesis
            close = words.index(")")
            words = [t.text for t in doc[end + close + 2 : min(limit, end + close + 11)]]
            if words[:1] == [","]:
                words = words[1:]
        for stop in ("that", "which", "to", "."):
            if stop in words:
                words = words[: words.index(stop)]
        found = first_type_noun(words)
        if found:
            return found, EVIDENCE_APPOSITIVE
    if end < limit:
        found = head_type([doc[end].text])
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


def _presented_with_weights(doc: Doc, surface: str, starts: list[int]) -> bool:
    """Words right around a mention speak of its parameters, weights or pre-training ("X is pre-trained
    on ...", "X-7B weights"): the paper presents a model (guideline)."""
    for start, end in occurrences(text_of(doc), surface):
        first, last = token_at(doc, start), token_at(doc, end - 1) + 1
        index = bisect.bisect_right(starts, first) - 1
        sentence_end = starts[index + 1] if index + 1 < len(starts) else len(doc)
        window = doc[max(starts[index], first - WEIGHTS_WINDOW) : min(sentence_end, last + WEIGHTS_WINDOW)]
        if WEIGHTS_CUE.search(window.text):
            return True
    return False


class ContributionFinder:
    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher.add("TRIGGER", [nlp.make_doc(word) for word in TRIGGERS])
        self.matcher.add("NAMING", [nlp.make_doc(word) for word in NAMING])

    def __call__(self, doc: Doc) -> Doc:
        found: dict[str, tuple[str, int, int, int]] = {}  # surface -> (type, evidence, start_char, end_char)
        rejected: list[str] = []
        covered = _covered_tokens(doc)
        stops = stoplist()

        def offer(start: int, end: int, entity_type: str | None, evidence: int) -> None:
            surface = doc[start:end].text
            key = surface_key(surface)
            if not key or key in stops:
                return
            previous = found.get(surface)
            if previous is None or evidence > previous[1]:
                found[surface] = (
                    entity_type or "METHOD",
                    evidence,
                    doc[start].idx,
                    doc[end - 1].idx + len(doc[end - 1]),
                )

        starts = sentence_starts(doc)  # once: Token.sent rescans the doc
        matches = self.matcher(doc)
        naming_at = [start for match_id, start, _ in matches if doc.vocab.strings[match_id] == "NAMING"]
        for match_id, start, _ in matches:
            index = bisect.bisect_right(starts, start) - 1
            sentence_start = starts[index]
            limit = starts[index + 1] if index + 1 < len(starts) else len(doc)
            naming = doc.vocab.strings[match_id] == "NAMING"
            for i in range(start + 1, min(limit, start + (3 if naming else 12))):
                token = doc[i]
                if token.lower_ in SCAN_STOP:
                    break
                run_end = (
                    _title_case_run(doc, i, limit) if i not in covered and token.text[:1].isupper() else i
                )
                # right after "called" / "dubbed" any capitalised word starts the name
                named = naming and token.text[:1].isupper() and token.text not in COMMON_CAPITALISED
                if not (named or _is_name_start(token, covered) or run_end > i):
                    continue
                end = max(_name_end(doc, i, limit), run_end)
                if run_end > i and head_type([doc[end - 1].text]) == "SKIP":
                    break
                if run_end > i and not naming and any(end <= n < min(limit, end + 12) for n in naming_at):
                    break  # "a Facial Decoupled Diffusion model ... called FD2Talk": the name follows
                i, end = _parenthesised_acronym(doc, i, end, limit)
                # "a Face Neural Volume Rendering (FNeVR) network": the evidence follows the parenthesis
                after = end + 1 if end < limit and doc[end].text == ")" else end
                entity_type, evidence = _evidence_after(doc, after, limit)
                if evidence < EVIDENCE_APPOSITIVE:
                    window = reversed(
                        [t.text for t in doc[max(sentence_start, i - (12 if naming else 8)) : i]]
                    )
                    if naming:  # "a ... model for talking head generation called X": past the task
                        window = (w for w in window if head_type([w]) != "SKIP")
                    before = first_type_noun(list(window))
                    if before:
                        entity_type, evidence = before, EVIDENCE_BEFORE
                if run_end > i and not entity_type:
                    entity_type = head_type([doc[end - 1].text])
                if entity_type != "SKIP":
                    offer(i, end, entity_type, evidence)
                else:
                    rejected.append(doc[i:end].text)
                break

        self._title_name(doc, offer)
        for surface, (entity_type, evidence, _, _) in list(found.items()):
            if (
                evidence <= EVIDENCE_TITLE
                and entity_type == "METHOD"
                and _presented_with_weights(doc, surface, starts)
            ):
                found[surface] = ("MODEL", evidence, 0, 0)
        for surface, (entity_type, _, _, _) in found.items():
            for start, end in occurrences(text_of(doc), surface):
                add_candidate(doc, spans.CONTRIBUTION, start, end, entity_type, surface)
        for surface in rejected:
            for start, end in occurrences(text_of(doc), surface):
                add_candidate(doc, spans.REJECTED, start, end, "", surface)
        return doc

    def _title_name(self, doc: Doc, offer) -> None:  # noqa: ANN001 - local callback
        title = text_of(doc)[: title_end(doc)]
        match = _TITLE_PREFIX.match(title)
        if not match:
            return
        prefix = match.group(1)
        span = doc.char_span(match.start(1), match.end(1))
        if span is None or len(span) > 5:
            return
        name_like = any(NAME_TOKEN.match(t.text) for t in span)
        mentioned = next(occurrences(text_of(doc)[len(title) :], prefix), None) is not None
        if not name_like and not (len(span) == 1 and prefix.istitle() and mentioned):
            return
        entity_type = _subtitle_type(title[match.end() :])
        if entity_type != "SKIP":
            offer(span.start, span.end, entity_type, EVIDENCE_TITLE if entity_type else EVIDENCE_NONE)


@Language.factory("pg_contributions", assigns=["doc.spans"], requires=["token.is_sent_start"])
def make_contributions(nlp: Language, name: str) -> ContributionFinder:
    return ContributionFinder(nlp)
