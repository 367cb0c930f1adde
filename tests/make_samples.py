"""Make the demo scenario shipped in `provenance/samples/` (run from anywhere:
`python tests/make_samples.py`).

Three "original" CCTV exports from an operator's cameras, and a "repost" montage of them as it
circulated on social media: letterboxed into 4:3, a caption burned in, one shot cropped, one
mirrored, re-encoded at another frame rate, with unrelated footage spliced in. The article that
carries the repost dates it 22/10/2015; the operator's footage was recorded in mid-September.
Everything is synthetic and seeded, so the files are the same on every run.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HERE = ROOT / "provenance" / "samples"
TRUTH = ROOT / "tests" / "repost.truth.json"  # what the repost is made of: for tests only

from tests import synthetic as syn  # noqa: E402

ORIGINALS = [
    {"id": "calais-cam1-platform", "seed": 11, "label": "CAM 1", "fps": 12.5, "length": 40.0,
     "clock": datetime(2015, 9, 16, 2, 13, 0), "title": "Terminal platform, camera 1",
     "recorded_at": "2015-09-16", "published_at": "2015-09-18"},
    {"id": "calais-cam2-fence", "seed": 22, "label": "CAM 2", "fps": 10.0, "length": 40.0,
     "clock": datetime(2015, 9, 16, 2, 20, 0), "title": "Perimeter fence, camera 2",
     "recorded_at": "2015-09-16", "published_at": "2015-09-18"},
    {"id": "calais-cam3-concourse", "seed": 33, "label": "CAM 3", "fps": 12.5, "length": 30.0,
     "clock": datetime(2015, 9, 15, 23, 41, 0), "title": "Freight concourse, camera 3",
     "recorded_at": "2015-09-15", "published_at": "2015-09-18"},
]
SOURCE = "Eurotunnel control room (operator CCTV export)"
REPOST_FPS = 30.0
REPOST_SIZE = (640, 480)
CAPTION = "22/10/2015 - TUNNEL STORMED TONIGHT"

# (original id or None for unrelated footage, start in the original, length, edit)
MONTAGE = [
    ("calais-cam1-platform", 6.0, 8.0, "crop"),
    (None, 0.0, 5.0, "unrelated"),
    ("calais-cam2-fence", 12.0, 8.0, "mirror"),
    ("calais-cam3-concourse", 4.0, 7.0, "plain"),
]

ARTICLE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Vidéo choc : des migrants envahissent le tunnel sous la Manche</title>
<meta property="og:video" content="repost.mp4">
</head>
<body>
<article>
<h1>Vidéo choc : des migrants envahissent le tunnel sous la Manche</h1>
<p class="byline">Publié le jeudi 22 octobre 2015, partagé par « Calais Info Direct »</p>
<p>Ces images de vidéosurveillance ont été filmées le 22/10/2015 au terminal de Coquelles,
selon la page qui les a publiées. Elles ont été vues plus d'un million de fois.</p>
<video controls width="640"><source src="repost.mp4" type="video/mp4"></video>
<p>Sharing the video, the page wrote: "Filmed tonight, October 22, 2015".</p>
<p>Contacté, l'exploitant du tunnel affirme que ces images datent de mi-septembre.</p>
</article>
</body>
</html>
"""


def make_originals(out: Path) -> list[dict[str, object]]:
    records = []
    for spec in ORIGINALS:
        scene = syn.CCTVScene(seed=int(spec["seed"]), label=str(spec["label"]),
                              clock_start=spec["clock"], length=float(spec["length"]))
        path = out / "originals" / f"{spec['id']}.mp4"
        syn.write_video(str(path), syn.render(scene, 0.0, float(spec["length"]),
                                              float(spec["fps"])), float(spec["fps"]), crf=28)
        records.append({
            "id": spec["id"], "file": f"originals/{path.name}", "title": spec["title"],
            "source": SOURCE, "recorded_at": spec["recorded_at"],
            "published_at": spec["published_at"],
            "url": f"https://example.org/eurotunnel/{spec['id']}",
        })
    return records


def _unrelated(length: float) -> syn.Iterator[syn.Frame]:
    scene = syn.CCTVScene(seed=999, label="", walkers_per_minute=30, length=60)
    return syn.render(scene, 20.0, length, REPOST_FPS)


def make_repost(out: Path) -> list[dict[str, object]]:
    edits = {
        "crop": syn.crop(0.06),
        "mirror": syn.mirror,
        "plain": lambda frame: frame,
        "unrelated": lambda frame: frame,
    }
    finish = syn.chain(syn.letterbox(*REPOST_SIZE), syn.caption(CAPTION))
    frames: list[syn.Frame] = []
    truth = []
    for original_id, start, length, edit in MONTAGE:
        position = len(frames) / REPOST_FPS
        if original_id is None:
            source = _unrelated(length)
        else:
            source = syn.excerpt(str(out / "originals" / f"{original_id}.mp4"), start, length,
                                 REPOST_FPS)
        frames.extend(finish(edits[edit](frame)) for frame in source)
        truth.append({"reference_id": original_id, "edit": edit,
                      "query_start": round(position, 3),
                      "query_end": round(len(frames) / REPOST_FPS, 3),
                      "reference_start": start if original_id else None,
                      "reference_end": start + length if original_id else None})
    syn.write_video(str(out / "repost.mp4"), frames, REPOST_FPS, crf=30)
    return truth


def main() -> None:
    (HERE / "originals").mkdir(exist_ok=True)
    records = make_originals(HERE)
    (HERE / "originals.json").write_text(json.dumps(records, indent=2) + "\n", "utf-8")
    truth = make_repost(HERE)
    TRUTH.write_text(json.dumps(truth, indent=2) + "\n", "utf-8")
    (HERE / "article.html").write_text(ARTICLE, "utf-8")
    print(f"wrote samples to {HERE}")


if __name__ == "__main__":
    main()
