from extract.nlp.normalize import entity_key, match_form, normalise_name, singular


def test_spelling_variants_share_a_key() -> None:
    keys = {entity_key("MODEL", name) for name in ("LLaMA-2", "Llama 2", "Llama2", "llama\u20112")}
    assert keys == {"model:llama2"}


def test_keys_keep_type_and_versions_apart() -> None:
    assert entity_key("METHOD", "NeRF") != entity_key("MODEL", "NeRF")
    assert normalise_name("wav2vec 2.0") == "wav2vec2.0"
    assert normalise_name("GPT-4o") != normalise_name("GPT-4")


def test_singular_drops_plural_of_acronyms_and_phrases_only() -> None:
    assert singular("GANs") == "GAN"
    assert singular("NeRFs") == "NeRF"
    assert singular("diffusion models") == "diffusion model"
    assert singular("analysis") == "analysis"
    assert singular("MMLU") == "MMLU"
    assert singular("attention heads is") == "attention heads is"


def test_match_form_follows_the_guideline() -> None:
    assert match_form("Multi-Head Attention") == match_form("multihead attentions")
    assert match_form("GANs") == match_form("gan")
