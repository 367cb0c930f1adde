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
    parser.add_argument("--gate-only", action="store_true",
                        help="only the text gate, on text frames and on frames without text "
                             "(the latter from copy_detection.py's set, when it is built)")
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
    if args.gate_only:
        gate_table(rng)


def _grey(frame: np.ndarray) -> np.ndarray:
    """A frame as verify reads it: the grey plane its one decode kept, in three channels."""
    return np.repeat(frame[:, :, None], 3, axis=2) if frame.ndim == 2 else frame


def gate_frames(rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(frames with text, frames without): 72 generated frames as above; synthetic CCTV with
    its clock label, and with a caption bar, and without either; every 4th frame verify keeps of
    each file of copy_detection.py's set (built by it), with text where it was captioned."""
    from provenance import provider
    from tests import synthetic as syn

    text = [_frame(rng, i)[0] for i in range(72)]
    plain = []
    for seed in range(9, 25):
        scene = syn.CCTVScene(seed=seed, width=640, height=400, label="CAM 9", length=30)
        with_clock = scene.frame(3.0)
        text += [with_clock, syn.caption("Calais 22/10/2015")(with_clock[40:].copy())]
        plain.append(with_clock[40:].copy())
    for path in sorted((_common.WORK / "copy-detection").glob("*.mp4")):
        kept = [_grey(f) for f in provider.decode(str(path), 4.0).local_frames[::4]]
        (text if "caption" in path.name else plain).extend(kept)
    return text, plain


def gate_table(rng: np.random.Generator) -> None:
    """What the text gate lets through to the reader: the edge test (``text_bands``), then the
    detector alone at ``SCOUT_SCALE`` (``_scout_boxes``) on the bands the edge test passed."""
    text, plain = gate_frames(rng)
    print(f"\ntext gate on {len(text)} frames with text and {len(plain)} without "
          f"(SCOUT_SCALE {ocr.SCOUT_SCALE}):\n")
    print("| frames | edge test passed | detector found text | CPU s / frame (median) |")
    print("| --- | --- | --- | --- |")
    for name, frames in (("with text", text), ("without text", plain)):
        edges = found = 0
        cpu = []
        for frame in frames:
            start = time.process_time()
            scale = min(ocr.DETECT_SIDE / min(frame.shape[:2]), ocr.MAX_WIDTH / frame.shape[1])
            bands = ocr.text_bands(frame)
            scouted = any(ocr._scout_boxes(frame[a:b], scale) is not None for a, b in bands)
            cpu.append(time.process_time() - start)
            edges += bool(bands)
            found += scouted
        print(f"| {name} | {edges}/{len(frames)} | {found}/{len(frames)} | "
              f"{statistics.median(cpu):.3f} |")


if __name__ == "__main__":
    main()
