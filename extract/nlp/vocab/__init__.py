"""Public vocabularies (Papers with Code, Hugging Face model types) turned into the project's pattern files.

`python -m extract.nlp.vocab.build --shared ../shared` (`make vocab`) reads ../shared/vocab and writes
extract/nlp/patterns/vocab/*.jsonl; the extractor reads only the committed files.
"""
