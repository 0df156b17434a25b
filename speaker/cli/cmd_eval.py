"""``encore eval hetrec`` and ``encore eval interactions``: offline recommender evaluation.

Every model (popularity, LightFM pure CF, LightFM hybrid with tags, implicit ALS) is fitted
and measured in the same run on the same split; ``--json`` prints
``{"protocol", "seed", "models": {model: {metric: value}}}``.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from speaker.config import Settings
from speaker.errors import EncoreError

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ("precision@10", "recall@10", "ndcg@10", "auc", "coverage", "fit_seconds")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("eval", help="evaluate the recommender offline")
    actions = parser.add_subparsers(dest="eval_command", metavar="DATA", required=True)
    het = actions.add_parser("hetrec", help="HetRec 2011 Last.fm 2k (evaluation only)")
    het.add_argument("--data", type=Path, metavar="DIR",
                     help="data directory (default: $ENCORE_HETREC_DIR or "
                          "../shared/datasets/hetrec2011-lastfm-2k next to the repository)")
    het.add_argument("--protocol", default="recbole",
                     choices=("recbole", "user-80-20", "cold-items"))
    het.add_argument("--seed", type=int, default=0, help="split and model seed (default 0)")
    het.add_argument("--threads", type=int, default=2, help="threads for model fits")
    het.add_argument("--json", action="store_true", help="print JSON")
    het.add_argument("--plot", type=Path, metavar="FILE",
                     help="write an SVG bar chart of Recall@10 and NDCG@10")
    het.set_defaults(handler=_hetrec)

    inter = actions.add_parser("interactions", help="any split given as TSV files")
    inter.add_argument("--train", type=Path, required=True, metavar="FILE",
                       help="user<TAB>item<TAB>weight")
    inter.add_argument("--test", type=Path, required=True, metavar="FILE",
                       help="user<TAB>item<TAB>weight")
    inter.add_argument("--item-tags", type=Path, metavar="FILE", help="item<TAB>tag<TAB>count")
    inter.add_argument("--seed", type=int, default=0, help="model seed (default 0)")
    inter.add_argument("--threads", type=int, default=2, help="threads for model fits")
    inter.add_argument("--json", action="store_true", help="print JSON")
    inter.set_defaults(handler=_interactions)


def _hetrec(args: argparse.Namespace, settings: Settings) -> int:
    from recommender.errors import RecommenderError
    from recommender.hetrec import default_hetrec_dir, load_hetrec, run_protocol

    data_dir = args.data or default_hetrec_dir(REPO_ROOT)
    try:
        data = load_hetrec(data_dir)
        models = run_protocol(data, args.protocol, args.seed, threads=args.threads)
    except RecommenderError as exc:
        raise EncoreError(str(exc)) from exc
    _report(args.protocol, args.seed, models, args.json)
    if args.plot:
        write_svg(args.plot, f"HetRec Last.fm 2k, {args.protocol}, seed {args.seed}", models)
        if not args.json:
            print(f"Plot written to {args.plot}")
    return 0


def _interactions(args: argparse.Namespace, settings: Settings) -> int:
    import dataclasses

    from recommender.errors import RecommenderError
    from recommender.evaluate import load_interaction_files, run_models
    from recommender.hetrec import TUNED_ALS, TUNED_CF, TUNED_HYBRID

    for path in (args.train, args.test, args.item_tags):
        if path is not None and not path.is_file():
            raise EncoreError(f"{path} not found")
    try:
        split, features = load_interaction_files(args.train, args.test, args.item_tags)
        seeded = {"threads": args.threads, "seed": args.seed}
        models = run_models(split, features, dataclasses.replace(TUNED_CF, **seeded),
                            dataclasses.replace(TUNED_HYBRID, **seeded),
                            dataclasses.replace(TUNED_ALS, **seeded))
    except RecommenderError as exc:
        raise EncoreError(str(exc)) from exc
    _report("interactions", args.seed, models, args.json)
    return 0


def _report(protocol: str, seed: int, models: dict[str, dict[str, float]], as_json: bool
            ) -> None:
    if as_json:
        print(json.dumps({"protocol": protocol, "seed": seed, "models": models}, indent=2))
        return
    print(f"# protocol {protocol}, seed {seed}")
    print(f"{'model':16s}" + "".join(f"{c:>14s}" for c in COLUMNS))
    for name, metrics in models.items():
        print(f"{name:16s}" + "".join(f"{metrics[c]:14.4f}" for c in COLUMNS))


def write_svg(path: Path, title: str, models: dict[str, dict[str, float]]) -> None:
    """A small grouped bar chart (Recall@10, NDCG@10 per model) as standalone SVG."""
    metrics = (("recall@10", "#4e79a7"), ("ndcg@10", "#f28e2b"))
    names = list(models)
    top = max([models[m][k] for m in names for k, _ in metrics] + [0.01])
    width, height, left, bottom, group = 120 + 130 * len(names), 320, 50, 260, 130
    scale = 200 / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             f'<text x="{left}" y="24" font-size="14">{escape(title)}</text>',
             f'<line x1="{left}" y1="{bottom}" x2="{width - 20}" y2="{bottom}" stroke="#333"/>']
    for g, name in enumerate(names):
        x0 = left + 15 + g * group
        for b, (key, colour) in enumerate(metrics):
            value = models[name][key]
            h = value * scale
            x = x0 + b * 45
            parts.append(f'<rect x="{x}" y="{bottom - h:.1f}" width="40" height="{h:.1f}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{x + 20}" y="{bottom - h - 4:.1f}" text-anchor="middle" '
                         f'font-size="10">{value:.3f}</text>')
        parts.append(f'<text x="{x0 + 42}" y="{bottom + 18}" text-anchor="middle">'
                     f'{escape(name)}</text>')
    for b, (key, colour) in enumerate(metrics):
        y = 40 + 16 * b
        parts.append(f'<rect x="{width - 130}" y="{y - 10}" width="12" height="12" '
                     f'fill="{colour}"/><text x="{width - 112}" y="{y}">{key}</text>')
    parts.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
