"""The `doc.spans` groups of the pipeline: every group name is defined here, once.

Candidate generation (the span rulers and the rule components) writes candidate spans into these
groups; each span has `label_` = its proposed type (MODEL / DATASET / METHOD) and `kb_id_` = its proposed
entity key. Any scorer placed before `pg_resolver` can read them all (`CANDIDATE_GROUPS`), and the
resolver turns them into `doc.ents` last. config.cfg repeats the phrase gazetteers' `spans_key`s (a test
checks they agree).
"""

from __future__ import annotations

CURATED_CASED = "pg_gazetteer_cased"  # hand-curated lists, matched as written
CURATED_LOWER = "pg_gazetteer_lower"  # hand-curated lists, matched in any case
VOCAB_CASED = "pg_vocab_cased"  # public vocabularies (patterns/vocab), matched as written
VOCAB_LOWER = "pg_vocab_lower"  # public vocabularies, matched in any case
CONTRIBUTION = "pg_contribution"  # the paper's own names, typed by how the paper presents them
ACRONYM = "pg_acronym"  # definitions: "long form (SHORT)", the two forms as consecutive spans
SHAPE = "pg_shape"  # names recognised by their form (Qwen2.5-7B, MMBench)
NAME = "pg_name"  # other proper names typed by their context
REJECTED = "pg_rejected"  # names a rule decided are not entities (a proposed metric): not candidates

CURATED_GROUPS = (CURATED_CASED, CURATED_LOWER)
VOCAB_GROUPS = (VOCAB_CASED, VOCAB_LOWER)
LIST_GROUPS = CURATED_GROUPS + VOCAB_GROUPS
# every candidate group, strongest source first: the resolver gives a surface the type and key of
# the first group proposing it
CANDIDATE_GROUPS = (*CURATED_GROUPS, CONTRIBUTION, ACRONYM, *VOCAB_GROUPS, SHAPE, NAME)
# the Mention.component value of an entity resolved from each group
COMPONENT_OF_GROUP = {
    CURATED_CASED: "gazetteer",
    CURATED_LOWER: "gazetteer",
    VOCAB_CASED: "vocabulary",
    VOCAB_LOWER: "vocabulary",
    CONTRIBUTION: "contribution",
    ACRONYM: "acronym",
    SHAPE: "shape",
    NAME: "name",
}
