"""The world the enrichment services of the end-to-end DAG test answer from (tests/dags/test_enrich_e2e.py).

The four papers of tests/fixtures/e2e (hf_daily, search and a saved listing; "Sparse Autoencoders
Find Features in Vision Transformers" is known there only by its title) as arXiv, Semantic Scholar
and the Hub know them, in the recorded shapes (tests/support/enrich_services.py).
"""

from __future__ import annotations

from tests.support.enrich_services import WorldPaper

FLOWNERF, TALKING, COT, SAE = "2406.01001", "2406.01002", "2406.01003", "2406.04444"
ATTENTION, NERF, VIT, COT_PROMPTING = "1706.03762", "2003.08934", "2010.11929", "2201.11903"


def _ref(arxiv_id: str | None, s2_id: str | None, title: str, year: int) -> dict:
    return {
        "paperId": s2_id,
        "externalIds": {"ArXiv": arxiv_id} if arxiv_id else {},
        "title": title,
        "year": year,
    }


def _model(repo_id: str, likes: int, downloads: int, tag: str) -> dict:
    return {
        "id": repo_id,
        "likes": likes,
        "downloads": downloads,
        "pipeline_tag": tag,
        "lastModified": "2024-06-05T12:00:00.000Z",
    }


WORLD = [
    WorldPaper(
        FLOWNERF,
        "FlowNeRF: Fast Neural Radiance Fields with Flow Matching",
        published="2024-06-01",
        s2_id="s2-flownerf",
        citation_count=14,
        references=[
            _ref(ATTENTION, "s2-attention", "Attention Is All You Need", 2017),
            _ref(NERF, "s2-nerf", "NeRF: Representing Scenes as Neural Radiance Fields", 2020),
            _ref(None, None, "", 2019),  # a reference S2 could not identify: dropped
        ],
        repos={
            "models": [_model("example/flownerf-base", 12, 3400, "image-to-3d")],
            "spaces": [
                {"id": "example/flownerf-demo", "likes": 3, "lastModified": "2024-06-06T08:00:00.000Z"}
            ],
        },
    ),
    WorldPaper(
        TALKING,
        "Talking Heads with FlowNeRF Priors",
        published="2024-06-01",
        s2_id="s2-talking",
        citation_count=2,
        references=[
            _ref(FLOWNERF, "s2-flownerf", "FlowNeRF: Fast Neural Radiance Fields with Flow Matching", 2024),
            _ref(NERF, "s2-nerf", "NeRF: Representing Scenes as Neural Radiance Fields", 2020),
        ],
    ),
    WorldPaper(
        COT,
        "Chain-of-Thought Distillation for Small Language Models",
        published="2024-06-01",
        s2_id="s2-cot",
        citation_count=5,
        references=[
            _ref(COT_PROMPTING, "s2-cot-prompting", "Chain-of-Thought Prompting Elicits Reasoning", 2022),
            _ref(SAE, "s2-sae", "Sparse Autoencoders Find Features in Vision Transformers", 2024),
        ],
    ),
    WorldPaper(
        SAE,
        "Sparse Autoencoders Find Features in Vision Transformers",
        abstract="We train sparse autoencoders on the residual stream of ViT-B/16 trained on ImageNet.",
        published="2024-05-30",
        s2_id="s2-sae",
        citation_count=1,
        references=[
            _ref(VIT, "s2-vit", "An Image is Worth 16x16 Words", 2020),
            _ref(FLOWNERF, "s2-flownerf", "FlowNeRF: Fast Neural Radiance Fields with Flow Matching", 2024),
        ],
        repos={
            "models": [_model("example/vit-sae", 5, 120, "image-feature-extraction")],
            "datasets": [{"id": "example/vit-sae-features", "likes": 1, "downloads": 40}],
        },
    ),
]
