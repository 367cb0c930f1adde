"""The OCR's text gate on captions in saturated colours: text read on frames as verify reads
them (the grey frame its one decode keeps, with the small colour picture kept beside it), with
the grey gate alone (``TextReader()(grey)``) and with the colour bands too (``colour=picture``).

Frames (every 4th kept frame unless said): without text, every file of copy_detection.py's set
but the captioned ones (built by it), every 2nd of the three shared clips and of four generated
clips (ffmpeg's mandelbrot at two sizes, cellauto, life), 16 synthetic CCTV pictures without
their label; with text in white or dark (their reading must not change), the set's captioned
files, ocr_accuracy.py's 72 generated frames and its 32 synthetic CCTV ones with a clock or a
caption bar (the generated ones as grey and every 2nd pixel in colour); every 2nd frame of 4-second
reposts of the shared clips with a caption in one of eight saturated colours (red, blue, green,
magenta, orange, #FF4040, #00B0FF, #C00000; three sizes and places, one in four on a dark box)
and of generated clips with red, blue, green or orange captions.

    PROVENANCE_FOOTAGE=/work/shared/footage python benchmarks/ocr_colour.py
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import time
from pathlib import Path

import _common
import cv2
import numpy as np
from ocr_accuracy import _frame

from provenance import ocr, provider
from tests.synthetic import CCTVScene, caption, ffmpeg_exe

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
COLOURS = ["red", "0x0000FF", "0x00C000", "magenta", "orange", "0xFF4040", "0x00B0FF", "0xC00000"]
TEXTS = ["CITY HALL STORMED 22-10-2015", "Exclusive leak", "Riot in Calais 2015", "BREAKING NEWS",
         "Police arrive at dawn", "Fire at the depot 3 March"]
GENERATED = ["mandelbrot=s=640x360:rate=25", "cellauto=s=640x360:rate=25:rule=110",
             "life=s=640x360:mold=10:rate=25:ratio=0.1",
             "mandelbrot=s=1280x720:rate=25:start_scale=0.5"]


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *args], check=True)


def _encode(out: Path, source: list[str], vf: str) -> Path | None:
    if not out.exists():
        _ffmpeg(*source, "-t", "4", "-vf", vf, "-an", "-c:v", "libx264", "-preset", "veryfast",
                "-crf", "26", "-pix_fmt", "yuv420p", str(out))
    return out if out.stat().st_size > 1000 else None  # a start past a clip's end: no frames


def media(folder: Path) -> tuple[list[Path], list[Path]]:
    """(generated clips without text, reposts with a caption in a saturated colour)."""
    folder.mkdir(parents=True, exist_ok=True)
    plain, coloured = [], []
    for k, source in enumerate(GENERATED):
        out = folder / f"plain-{k}.mp4"
        if not out.exists():
            _ffmpeg("-f", "lavfi", "-i", source, "-t", "8", "-an", "-c:v", "libx264",
                    "-preset", "veryfast", "-pix_fmt", "yuv420p", str(out))
        plain.append(out)
    clips = _common.footage_clips()
    for k, (clip, colour) in enumerate(itertools.product(clips, COLOURS)):
        box = ":box=1:boxcolor=black@0.7" if k % 4 == 0 else ""
        vf = (f"scale=768:-2,drawtext=fontfile={FONT}:text='{TEXTS[k % 6]}':fontcolor={colour}:"
              f"fontsize={['h/14', 'h/20', 'h/11'][k % 3]}:x=(w-tw)/2:"
              f"y={['h-th-h/20', 'h/12', 'h*0.6'][k % 3]}{box}")
        found = _encode(folder / f"colour-{k}.mp4", ["-ss", str(5 + 7 * (k % 6)), "-i", str(clip)],
                        vf)
        coloured += [found] if found else []
    hues = [*COLOURS[:3], "orange"]
    for k, (source, colour) in enumerate(itertools.product(GENERATED[:2], hues)):
        vf = (f"drawtext=fontfile={FONT}:text='{TEXTS[k % 6]}':fontcolor={colour}:fontsize=h/14:"
              "x=(w-tw)/2:y=h-th-h/20")
        found = _encode(folder / f"colour-gen-{k}.mp4", ["-f", "lavfi", "-i", source], vf)
        coloured += [found] if found else []
    return plain, coloured


def _as_kept(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A BGR frame as verify keeps it: its grey levels, and its colour at every 2nd pixel."""
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), np.ascontiguousarray(frame[::2, ::2])


def _frames(path: Path, every: int) -> list[tuple[np.ndarray, np.ndarray]]:
    decoded = provider.decode(str(path), 4.0)
    return list(zip(decoded.local_frames[::every], decoded.pictures[::every], strict=True))


def main() -> None:
    plain_media, coloured_media = media(_common.WORK / "ocr-colour")
    sets: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"without text": [],
                                                           "white/dark captions": [],
                                                           "saturated captions": []}
    for path in sorted((_common.WORK / "copy-detection").glob("*.mp4")):
        key = "white/dark captions" if "caption" in path.name else "without text"
        sets[key] += _frames(path, 4)
    for path in [*_common.footage_clips(), *plain_media]:
        sets["without text"] += _frames(path, 2)
    for path in coloured_media:
        sets["saturated captions"] += _frames(path, 2)
    rng = np.random.default_rng(7)  # ocr_accuracy.py's generated text frames, and its CCTV ones
    for k in range(72):
        sets["white/dark captions"].append(_as_kept(_frame(rng, k)[0]))
    for seed in range(9, 25):
        scene = CCTVScene(seed=seed, width=640, height=400, label="CAM 9", length=30)
        with_clock = scene.frame(3.0)
        sets["white/dark captions"] += [_as_kept(with_clock),
                                        _as_kept(caption("Calais 22/10/2015")(with_clock[40:]))]
        sets["without text"].append(_as_kept(with_clock[40:].copy()))
    ocr.read_frame(np.zeros((64, 64), np.uint8))  # load the models outside the timing
    print("| frames | text read: grey gate | with colour bands | lines only colour read | "
          "CPU s / frame, mean: grey | with colour |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, frames in sets.items():
        grey_read = colour_read = colour_lines = 0
        grey_cpu, colour_cpu = [], []
        for grey, picture in frames:
            start = time.process_time()
            before = ocr.TextReader()(grey)
            grey_cpu.append(time.process_time() - start)
            start = time.process_time()
            after = ocr.TextReader()(grey, colour=picture)
            colour_cpu.append(time.process_time() - start)
            grey_read += bool(before)
            colour_read += bool(after)
            colour_lines += any(line.colour for line in after)
            assert [x.text for x in before] == [x.text for x in after if not x.colour]
        print(f"| {name} ({len(frames)}) | {grey_read} | {colour_read} | {colour_lines} | "
              f"{statistics.mean(grey_cpu):.4f} | {statistics.mean(colour_cpu):.4f} |")


if __name__ == "__main__":
    main()
