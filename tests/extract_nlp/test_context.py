"""Context decides over the lists: definitions, cues for ambiguous short forms, a paper's own name, junk.

Sentences written for these tests (never gold text); the real pipeline with the committed vocabularies.
"""

from spacy.language import Language

from extract.nlp import spans
from extract.records import paper_text
from tests.extract_nlp.conftest import entities


def test_a_definition_overrides_the_list_type(nlp: Language) -> None:
    # GQA is a listed dataset; here the paper defines it as an attention method
    found = entities(
        nlp,
        "We replace multi-head attention with grouped-query attention (GQA) to save memory. GQA is good.",
    )
    assert found["GQA"][:2] == ("METHOD", "method:groupedqueryattention")
    assert found["grouped-query attention"][1] == found["GQA"][1]  # one entity for both forms
    # without the definition, the listed dataset (with a cue) stands
    assert entities(nlp, "We report accuracy on the GQA benchmark.")["GQA"][:2] == ("DATASET", "dataset:gqa")


def test_a_definition_as_a_task_rejects_a_listed_short_form(nlp: Language) -> None:
    found = entities(nlp, "Human activity recognition (HAR) from wearables is hard; HAR models are small.")
    assert "HAR" not in found


def test_a_cueless_ambiguous_short_form_is_dropped(nlp: Language) -> None:
    assert entities(nlp, "Cora said hello. We searched Pubmed for articles. GQA is hard.") == {}
    assert entities(nlp, "The Pubmed dataset is large.")["Pubmed"][0] == "DATASET"
    # "on X", and names listed beside it, are cues enough for datasets
    found = entities(nlp, "Results on Cora, Citeseer and Pubmed improve.")
    assert {found[name][0] for name in ("Cora", "Citeseer", "Pubmed")} == {"DATASET"}


def test_a_head_noun_after_a_vocabulary_name_fixes_its_type(nlp: Language) -> None:
    # BatchFormer is a Papers with Code vision transformer (a MODEL there); "the X module" is a method
    assert entities(nlp, "We plug in the BatchFormer module.")["BatchFormer"][0] == "METHOD"
    assert entities(nlp, "BatchFormer improves accuracy.")["BatchFormer"][0] == "MODEL"
    # Fastformer is listed too, but it is also an English-looking word: without a cue it is dropped
    assert entities(nlp, "Fastformer is efficient.") == {}


def test_a_papers_own_name_is_typed_model_or_method_as_presented(nlp: Language) -> None:
    assert entities(nlp, "We present Zorblax, a framework for video editing.")["Zorblax"][:1] == ("METHOD",)
    released = entities(nlp, "We release Zorblax-7B, a language model with 7B parameters.")
    assert released["Zorblax-7B"] == ("MODEL", "model:zorblax7b", True)
    title = "Quillion: Towards Faster Video Editing"
    with_weights = paper_text(
        title, "We introduce Quillion. Quillion is pre-trained on 2T tokens and its weights are public."
    )
    without = paper_text(title, "We introduce Quillion. Quillion edits videos with masks.")
    assert entities(nlp, with_weights)["Quillion"][0] == "MODEL"
    assert entities(nlp, without)["Quillion"][0] == "METHOD"
    # "a ... model for <task> called X": the name is X, typed by the head noun before the task
    found = entities(nlp, "We propose a Zorbing Fusion model for talking head generation called Zorbit.")
    assert found["Zorbit"][0] == "MODEL" and "Zorbing Fusion" not in found
    # the head noun after a parenthesised acronym
    assert entities(nlp, "We propose a Face Neural Volume Rendering (FNeVR) network.")["FNeVR"][0] == "MODEL"


def test_junk_words_are_never_emitted(nlp: Language) -> None:
    text = paper_text(
        "Enhanced: A Compact Learning Framework",
        "We propose an LLM-powered, AI-driven, compact and enhanced learning system. We present Extreme, "
        "a petaflop-scale approach.",
    )
    surfaces = {s.lower() for s in entities(nlp, text)}
    assert not surfaces & {"enhanced", "compact", "learning", "extreme", "llm-powered", "ai-driven"}


def test_vocabulary_names_are_found_with_their_offsets_and_one_key(nlp: Language) -> None:
    text = "We train a Region Proposal Network (RPN) and track on LaSOT; the RPN is fast."
    doc = nlp(text)
    by_text = {ent.text: ent for ent in doc.ents}
    assert by_text["LaSOT"].label_ == "DATASET"
    assert by_text["LaSOT"]._.pg_component == "vocabulary"
    assert by_text["Region Proposal Network"].kb_id_ == by_text["RPN"].kb_id_
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text


def test_candidate_groups_are_the_ones_named_in_spans(nlp: Language) -> None:
    doc = nlp("We compare BERT with LaSOT results.")
    assert set(spans.LIST_GROUPS) <= set(doc.spans)  # written even when empty
    assert set(doc.spans) <= {*spans.CANDIDATE_GROUPS, spans.REJECTED}
    assert set(spans.COMPONENT_OF_GROUP) == set(spans.CANDIDATE_GROUPS)
    bert = next(span for span in doc.spans[spans.CURATED_CASED] if span.text == "BERT")
    assert (bert.label_, bert.kb_id_) == ("MODEL", "model:bert")


def test_an_unknown_name_listed_beside_known_ones_shares_their_type(nlp: Language) -> None:
    found = entities(nlp, "Experiments with GPT2 and TinyZorb show gains on SQuAD, ZorbQA and PubMed.")
    assert found["TinyZorb"][0] == "MODEL"
    assert found["ZorbQA"][0] == "DATASET" and found["PubMed"][0] == "DATASET"
    assert entities(nlp, "We fine-tune T5-small.")["T5-small"][:2] == ("MODEL", "model:t5small")
