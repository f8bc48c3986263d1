"""spaCy entity extraction (MODEL / DATASET / METHOD) from titles and abstracts.

Public API: `load_pipeline`, `extract_papers`, `EntityRegistry` (see pipeline.py and registry.py).
"""
