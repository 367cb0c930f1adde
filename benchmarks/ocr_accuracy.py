"""Burned-in text: character and date accuracy and CPU time per frame of OCR engines whose wheels
carry their models, on generated frames.

Frames: synthetic CCTV pictures (their own overlay cropped away) at 640x360 and 1280x720 with a
camera clock ("2015-09-16 02:13:12", "16/09/2015 02:13:12", "09-16-2015 02:13:12 PM") or a
caption with a date ("attaque eurotunnel 22/10/2015") drawn in five OpenCV fonts, three sizes and
three backgrounds (over the picture, on a dark bar, dark text on a light band). Seeded; the truth
is known.

    python benchmarks/ocr_accuracy.py [--frames 36]

Character accuracy is 1 - edit distance / length of the truth, over the frame's text joined
top to bottom; date accuracy counts frames whose clock (provenance.ocr.screen_datetime) or
caption date (provenance.claims.find_dates) is read exactly. CPU time is process time (all
threads) per frame, median.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import _common  # noqa: F401  (puts the checkout first on sys.path)
import cv2
import numpy as np

from provenance import claims, ocr
from tests.synthetic import CCTVScene

FONTS = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN]
CAPTIONS = ["attaque eurotunnel {d:%d/%m/%Y}", "Calais migrants {d:%d/%m/%Y}",
            "Breaking: tunnel stormed {d:%Y-%m-%d}", "Video du {d:%d/%m/%Y} a Calais"]
CLOCKS = ["{d:%Y-%m-%d %H:%M:%S}", "{d:%d/%m/%Y %H:%M:%S}", "CAM 2  {d:%Y/%m/%d %H:%M:%S}"]


def _frame(rng: np.random.Generator, index: int) -> tuple[np.ndarray, str, datetime, str]:
    """(frame, text drawn, its date and time, "clock" or "caption")."""
    width, height = (640, 360) if index % 3 else (1280, 720)
    scene = CCTVScene(seed=index, width=width, height=height + height // 8, length=60)
    picture = scene.frame(float(rng.uniform(0, 50)))[height // 8:].copy()
    when = datetime(2012, 1, 1) + timedelta(seconds=int(rng.integers(0, 10 * 365 * 86400)))
    kind = "clock" if index % 2 else "caption"
    pattern = CLOCKS[index % len(CLOCKS)] if kind == "clock" else CAPTIONS[index % len(CAPTIONS)]
    text = pattern.format(d=when)
    font = FONTS[index % len(FONTS)]
    scale = [0.5, 0.7, 1.0][(index // 5) % 3] * height / 360 * (1.6 if font == FONTS[4] else 1)
    (tw, th), _ = cv2.getTextSize(text, font, scale, 2)
    y = 30 + th if kind == "clock" else height - 20
    background = (index // 2) % 3
    if background == 1:
        picture[y - th - 10:y + 10] = (picture[y - th - 10:y + 10] * 0.25).astype(np.uint8)
    colour = (255, 255, 255)
    if background == 2:
        picture[y - th - 10:y + 10, 5:tw + 25] = 225
        colour = (20, 20, 20)
    cv2.putText(picture, text, (12, y), font, scale, colour, 2, cv2.LINE_AA)
    return picture, text, when, kind


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _date_read(text: str, when: datetime, kind: str) -> bool:
    if kind == "clock":
        found = ocr.screen_datetime(text)
        return found is not None and found[0] == when
    return any(value == when.date() for value, _ in claims.find_dates(text))


def _engines(only_ours: bool) -> dict[str, Callable[[np.ndarray], list[str]]]:
    from rapidocr import RapidOCR

    engines: dict[str, Callable[[np.ndarray], list[str]]] = {
        f"rapidocr 3 PP-OCRv6, text bands only, side {ocr.DETECT_SIDE}, 1 thread (chosen)":
            lambda f: [line.text for line in ocr.read_frame(f)]}
    for side in (480, 640, 736):
        variant = RapidOCR(params={**ocr.ENGINE_PARAMS, "Det.limit_type": "min",
                                   "Det.limit_side_len": side})
        engines[f"rapidocr 3 PP-OCRv6, whole frame, side {side}, 1 thread"] = \
            lambda f, v=variant: list(v(f).txts or ())
    if only_ours:
        return engines
    default = RapidOCR(params={"Global.log_level": "error"})
    engines["rapidocr 3 PP-OCRv6, defaults (side 736, angle classifier, all threads)"] = \
        lambda f: list(default(f).txts or ())
    try:
        from rapidocr_onnxruntime import RapidOCR as RapidOCRv1
    except ImportError:
        return engines
    older = RapidOCRv1()
    engines["rapidocr-onnxruntime 1.4 PP-OCRv4, defaults"] = \
        lambda f: [str(r[1]) for r in (older(f)[0] or [])]
    return engines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=36)
    parser.add_argument("--gate-only", action="store_true", help="only the text gate")
    parser.add_argument("--only-ours", action="store_true",
                        help="only the chosen reading and its whole-frame variants")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    frames = [_frame(rng, i) for i in range(args.frames)]
    print(f"{len(frames)} frames (half clocks, half captions); CPU time is process time per frame")
    print("| engine | character accuracy | dates read exactly | CPU s / frame (median) |")
    print("| --- | --- | --- | --- |")
    engines = _engines(args.only_ours) if not args.gate_only else {}
    for name, read in engines.items():
        read(frames[0][0])  # load the models outside the timing
        accuracy, dates, cpu = [], 0, []
        for picture, truth, when, kind in frames:
            start = time.process_time()
            text = " ".join(read(picture))
            cpu.append(time.process_time() - start)
            accuracy.append(max(0.0, 1 - _distance(text.strip(), truth) / len(truth)))
            dates += _date_read(text, when, kind)
        print(f"| {name} | {statistics.mean(accuracy):.3f} | {dates}/{len(frames)} | "
              f"{statistics.median(cpu):.3f} |")
    passed = sum(ocr.likely_text(picture) for picture, *_ in frames)
    print(f"\ntext gate (ocr.likely_text): {passed}/{len(frames)} text frames passed")


if __name__ == "__main__":
    main()
