"""Each pipeline component on sentences written for the test (real spaCy pipeline, no mocks)."""

from spacy.language import Language

from extract.nlp.components.acronyms import schwartz_hearst_long_form
from extract.records import paper_text
from tests.extract_nlp.conftest import entities


def test_tokenizer_keeps_alphanumeric_names_whole(nlp: Language) -> None:
    words = [t.text for t in nlp.make_doc("We beat GSM8K and the CoT. Then ResNet-50 wins.")]
    assert "GSM8K" in words and "CoT" in words and "ResNet-50" in words


def test_title_is_its_own_sentence(nlp: Language) -> None:
    doc = nlp(paper_text("Gizmo Learning for Widgets", "We study widgets. They are small."))
    assert [s.text.strip() for s in doc.sents][0] == "Gizmo Learning for Widgets"


def test_gazetteer_spelling_variants_resolve_to_one_key(nlp: Language) -> None:
    found = entities(
        nlp, "We compare LLaMA-2, Llama 2 and Llama2 with GPT-4o, wav2vec 2.0 and Stable Diffusion XL."
    )
    assert found["LLaMA-2"][1] == found["Llama 2"][1] == found["Llama2"][1] == "model:llama2"
    assert found["GPT-4o"][:2] == ("MODEL", "model:gpt4o")
    assert found["wav2vec 2.0"][0] == "MODEL"
    assert (
        found["Stable Diffusion XL"][1] == "model:stablediffusionxl"
    )  # longest match wins over Stable Diffusion


def test_gazetteer_plurals_and_case_rules(nlp: Language) -> None:
    found = entities(
        nlp, "Diffusion models and GANs use self-attention; zero shot whisper of a clip is no model."
    )
    assert found["Diffusion models"][1] == "method:diffusionmodel"
    assert found["GANs"][1] == "method:generativeadversarialnetwork"
    assert "whisper" not in found and "clip" not in found and "zero" not in found


def test_schwartz_hearst_finds_the_long_form() -> None:
    assert schwartz_hearst_long_form("STR", "we add Sparse Token Routing") == "Sparse Token Routing"
    assert schwartz_hearst_long_form("QX", "nothing matches here") is None


def test_acronym_and_expansion_are_one_entity(nlp: Language) -> None:
    found = entities(nlp, "Layers use Sparse Token Routing (STR) and later STR again.")
    assert found["Sparse Token Routing"][:2] == found["STR"][:2] == ("METHOD", "method:str")
    known = entities(nlp, "We use Low-Rank Adaptation (LoRA).")
    assert known["Low-Rank Adaptation"][1] == known["LoRA"][1] == "method:lora"


def test_acronyms_of_metrics_tasks_and_generic_phrases_are_left_out(nlp: Language) -> None:
    found = entities(
        nlp,
        "Large language models (LLMs) raise the Peak Signal-to-Noise Ratio (PSNR) in text-to-speech (TTS).",
    )
    assert found == {}


def test_contribution_is_typed_by_its_head_noun(nlp: Language) -> None:
    method = entities(nlp, "In this paper we introduce Zorblax, a lightweight framework for routing.")
    assert method["Zorblax"] == ("METHOD", "method:zorblax", True)
    model = entities(nlp, "We release Florin-3B, a bilingual language model trained on books.")
    assert model["Florin-3B"][0] == "MODEL" and model["Florin-3B"][2]
    dataset = entities(nlp, "We present a new benchmark, dubbed PuddleQA, with 5K questions.")
    assert dataset["PuddleQA"][:2] == ("DATASET", "dataset:puddleqa")


def test_title_prefix_is_a_contribution_typed_by_the_subtitle(nlp: Language) -> None:
    found = entities(
        nlp, paper_text("Snorkel: A Benchmark for Underwater Counting", "Snorkel has 3K images.")
    )
    assert found["Snorkel"] == ("DATASET", "dataset:snorkel", True)


def test_metric_contribution_is_dropped(nlp: Language) -> None:
    assert "GlowScore" not in entities(nlp, "We propose GlowScore, a new metric for glow.")


def test_shapes_find_versioned_and_sized_models(nlp: Language) -> None:
    found = entities(
        nlp, "Results for Qwen2.5-7B-Instruct, Gemini 1.5 Pro, Hoopla-13B and the VideoBench suite."
    )
    assert found["Qwen2.5-7B-Instruct"][:2] == ("MODEL", "model:qwen2.57binstruct")
    assert found["Gemini 1.5 Pro"][0] == "MODEL"
    assert found["Hoopla-13B"][0] == "MODEL"
    assert found["VideoBench"][0] == "DATASET"


def test_names_are_typed_by_context(nlp: Language) -> None:
    found = entities(nlp, "It beats FaceWizard on the PQRS and TUVW datasets, with MERP (71.2) too.")
    assert found["FaceWizard"][0] == "METHOD"
    assert found["PQRS"][0] == found["TUVW"][0] == "DATASET"
    assert found["MERP"][0] == "DATASET"
    extended = entities(nlp, "Scores on ARC-C and a NeRF-based renderer.")
    assert extended["ARC-C"][0] == "DATASET" and "NeRF" in extended


def test_generic_camel_case_words_are_not_names(nlp: Language) -> None:
    found = entities(nlp, "Code on GitHub in PyTorch for iPhone users of YouTube.")
    assert found == {}


def test_resolver_offsets_sentences_and_propagation(nlp: Language) -> None:
    from extract.nlp.pipeline import doc_mentions

    text = paper_text("Quibble: Fast Routing", "We propose Quibble, a method. Later, Quibble beats BERT.")
    mentions = doc_mentions("p1", nlp(text))
    assert all(text[m.start : m.end] == m.text for m in mentions)
    quibble = [m for m in mentions if m.text == "Quibble"]
    assert len(quibble) == 3 and all(m.is_contribution and m.component == "contribution" for m in quibble)
    assert quibble[2].sentence == "Later, Quibble beats BERT."
    bert = next(m for m in mentions if m.text == "BERT")
    assert (bert.type, bert.component, bert.is_contribution) == ("MODEL", "gazetteer", False)
