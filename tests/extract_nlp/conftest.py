"""The real pipeline, built once for the extraction tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "nlp"


@pytest.fixture(scope="session")
def nlp() -> Language:
    from extract.nlp.pipeline import load_pipeline

    return load_pipeline()


def entities(nlp: Language, text: str) -> dict[str, tuple[str, str, bool]]:
    """surface -> (type, key, is_contribution) for every resolved entity of `text`."""
    doc = nlp(text)
    return {ent.text: (ent.label_, ent.kb_id_, ent._.pg_contribution) for ent in doc.ents}
