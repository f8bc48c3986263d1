"""The pipeline's custom components; importing this package registers their factories with spaCy."""

from extract.nlp.components import (  # noqa: F401
    acronyms,
    classifier,
    contributions,
    names,
    phrases,
    resolver,
    sentences,
    shapes,
    title,
)
