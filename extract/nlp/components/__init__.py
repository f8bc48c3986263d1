"""The pipeline's custom components; importing this package registers their factories with spaCy."""

from extract.nlp.components import acronyms, contributions, names, resolver, sentences, shapes, title  # noqa: F401
