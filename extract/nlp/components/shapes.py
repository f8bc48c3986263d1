"""`pg_shapes`: names recognisable by their form.

- versioned members of well-known model families: Qwen2.5-7B-Instruct, Gemini 1.5 Pro, Claude 3 Opus;
- anything carrying a parameter count: Mistral-7B, BrainTransformers-3B-Chat;
- benchmark-style names: MMBench, Video-Bench.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from extract.nlp import spans
from extract.nlp.components.common import add_candidate, text_of

FAMILIES = (
    "GPT|ChatGPT|InstructGPT|Llama|LLaMA|LLAMA|Code Llama|CodeLlama|Vicuna|Alpaca|Mistral|Mixtral|Qwen|QwQ|"
    "Gemma|Gemini|Claude|PaLM|Phi|DeepSeek|DeepSeek-V|DeepSeek-R|DeepSeek-Coder|InternLM|InternVL|Yi|Baichuan|"
    "ChatGLM|GLM|Falcon|Pythia|OPT|BLOOM|BLOOMZ|Flan-T5|T5|mT5|BERT|RoBERTa|XLM-R|LLaVA|LLaVA-NeXT|"
    "MiniGPT|MiniCPM|CogVLM|CogVideoX|BLIP|InstructBLIP|Stable Diffusion|SDXL|SD|DALL-E|DALL·E|Imagen|"
    "Whisper|wav2vec|HuBERT|SAM|DINO|DINOv|CLIP|SigLIP|EVA|ViT|Swin|ResNet|ResNeXt|EfficientNet|"
    "ConvNeXt|YOLO|YOLOv|Grok|Jamba|Mamba|StarCoder|CodeGen|Codex|OLMo|Orca|Zephyr|Nemotron|Granite|"
    "Sora|Midjourney|Kimi|Hunyuan|ERNIE|Emu|Chameleon|Idefics|Pixtral|Molmo|SmolLM|TinyLlama|Aya"
)
VARIANT_WORDS = (
    "Pro|Ultra|Nano|Flash|Mini|mini|Turbo|turbo|Instruct|Chat|Base|Opus|Sonnet|Haiku|XL|XXL|Large|Small|Medium|"
    "Tiny|Vision|Coder|Math|it|Omni|o|V|R1|V2|V3|Preview|Plus|Max|Lite|Next|Huge|Giant|Base"
)
_VERSION = r"(?:[- ]?v?\d+(?:\.\d+)*[a-z]?)"
_SIZE = r"(?:[- ](?:\d+(?:\.\d+)?[BMKT]|\d+x\d+[BM]|[A-Z]/\d+))"
# The patterns start with a plain character (a capital, a family's first letter) and test the
# look-behind after it: the regex engine then scans for that character in C instead of running the
# look-behind at every position of the text (same matches, 2-3x faster). The families are grouped by
# first letter (keeping their order): only one group can match at a position, so the same one wins.
_BY_INITIAL: dict[str, list[str]] = {}
for _family in FAMILIES.split("|"):
    _BY_INITIAL.setdefault(_family[0], []).append(_family[1:])
_FAMILY_NAMES = "|".join(
    rf"{re.escape(initial)}(?<![\w-]{re.escape(initial)})(?:{'|'.join(rests)})"
    for initial, rests in _BY_INITIAL.items()
)
MODEL_FAMILY = re.compile(
    rf"(?:{_FAMILY_NAMES}){_VERSION}(?:{_SIZE}|[- ](?:{VARIANT_WORDS})(?![\w]))*(?![\w-])"
)
PARAMETER_COUNT = re.compile(
    r"[A-Z](?<![\w-][A-Z])[A-Za-z0-9.]*(?:-[A-Za-z0-9.]+)*-\d+(?:\.\d+)?[BMT]"
    r"(?:-(?:Instruct|Chat|Base|it|Coder|Vision))?(?![\w-])"
)
# every PARAMETER_COUNT match holds this: a text without it is not scanned
_PARAMETER_HINT = re.compile(r"-\d+(?:\.\d+)?[BMT]")
BENCHMARK_NAME = re.compile(r"[A-Z](?<![\w-][A-Z])[A-Za-z0-9]*-?Bench(?:mark)?(?:-[A-Za-z0-9]+)?(?![\w-])")
_VERSIONED = re.compile(r"\d|[- ][A-Z][a-z]+$")
# A MODEL_FAMILY match has its version's first digit at most this far from its start (the family's
# name, then `[- ]?v?`): the scan can start this far before the text's first digit.
_FAMILY_REACH = max(len(family) for family in FAMILIES.split("|")) + 2
_DIGIT = re.compile(r"\d")


def first_digit(text: str) -> int:
    r"""Index of the first character `\d` matches in `text`, -1 when there is none (`str.find` for
    each ASCII digit when the text is ASCII: faster than the regex engine's scan)."""
    if text.isascii():
        found = [place for place in map(text.find, "0123456789") if place >= 0]
        return min(found) if found else -1
    match = _DIGIT.search(text)
    return match.start() if match else -1


@Language.component("pg_shapes", assigns=["doc.spans"])
def shapes(doc: Doc) -> Doc:
    text = text_of(doc)
    digit = first_digit(text)
    for pattern, entity_type in (
        (MODEL_FAMILY, "MODEL"),
        (PARAMETER_COUNT, "MODEL"),
        (BENCHMARK_NAME, "DATASET"),
    ):
        if pattern is BENCHMARK_NAME and "Bench" not in text:
            continue
        if pattern is not BENCHMARK_NAME and digit < 0:
            continue  # every model family and parameter count match holds a digit
        if pattern is PARAMETER_COUNT and not _PARAMETER_HINT.search(text, max(0, digit - 1)):
            continue
        # (a look-behind still sees the text before the scan's start)
        start = max(0, digit - _FAMILY_REACH) if pattern is MODEL_FAMILY else 0
        for match in pattern.finditer(text, start):
            surface = match.group(0)
            # a bare family name without a version is left to the gazetteer
            if pattern is MODEL_FAMILY and not _VERSIONED.search(surface):
                continue
            add_candidate(doc, spans.SHAPE, match.start(), match.end(), entity_type, surface)
    return doc
