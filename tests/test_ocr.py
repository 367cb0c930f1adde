"""Burned-in text: camera clocks in text, and an original's recording date from its clock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from provenance import evidence, ocr
from provenance.models import Original
from tests import synthetic as syn


@pytest.mark.parametrize("text, expected", [
    ("CAM 1 2015-09-16 02:13:12", datetime(2015, 9, 16, 2, 13, 12)),
    ("16/09/2015 02:13:12", datetime(2015, 9, 16, 2, 13, 12)),
    ("09-16-2015 02:13:12 PM", datetime(2015, 9, 16, 14, 13, 12)),
    ("2015/09/16 23:59", datetime(2015, 9, 16, 23, 59)),
])
def test_camera_clocks_are_read(text: str, expected: datetime) -> None:
    found = ocr.screen_datetime(text)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize("text", ["attaque eurotunnel 22/10/2015", "2015-13-40 02:13:12",
                                  "12:30", ""])
def test_text_without_a_clock_gives_none(text: str) -> None:
    assert ocr.screen_datetime(text) is None


def test_clock_fills_or_is_compared_with_the_metadata() -> None:
    lines = [ocr.TextLine(4.0, "CAM B 2015-09-16 02:13:04", 0.98)]
    filled = evidence.screen_recorded(Original(id="a"), lines)
    assert filled.recorded_at == "2015-09-16"
    assert filled.recorded_on_screen.startswith("2015-09-16T02:13:04; on-screen text at 4.0 s")
    agreeing = evidence.screen_recorded(Original(id="b", recorded_at="2015-09-16"), lines)
    assert agreeing.recorded_at == "2015-09-16" and "agrees with" in agreeing.recorded_on_screen
    other = evidence.screen_recorded(Original(id="c", recorded_at="2015-09-14/2015-09-15"), lines)
    assert other.recorded_at == "2015-09-14/2015-09-15"
    assert "DISAGREES with the metadata" in other.recorded_on_screen
    assert evidence.screen_recorded(Original(id="d"), []).recorded_on_screen == ""


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_clock_and_caption_are_read_from_a_frame() -> None:
    scene = syn.CCTVScene(seed=4, width=640, height=360, label="CAM 3", length=30)
    frame = syn.caption("Calais 22/10/2015")(scene.frame(7.0))
    lines = ocr.read_frame(frame, 7.0)
    text = " ".join(line.text for line in lines)
    assert ocr.screen_datetime(text) == (datetime(2015, 9, 16, 2, 13, 7), "2015-09-16 02:13:07")
    assert "22/10/2015" in text
    assert all(line.time == 7.0 and line.score >= ocr.MIN_SCORE for line in lines)


def test_captions_are_claims_camera_clocks_are_not() -> None:
    lines = (ocr.TextLine(1.0, "CAM A 2015-09-16 02:13:01", 0.99),
             ocr.TextLine(1.0, "attaque eurotunnel 22/10/2015", 0.97),
             ocr.TextLine(5.0, "attaque eurotunnel 22/10/2015", 0.98))
    found = evidence.text_claims(lines, index=2)
    assert [(c.value, c.found_in, c.applies_to) for c in found] == [
        ("2015-10-22", "burned-in text", 2)]


def test_text_gate_passes_text_and_spares_plain_frames() -> None:
    import numpy as np

    spared = 0
    for seed in range(9, 17):
        scene = syn.CCTVScene(seed=seed, width=640, height=400, label="CAM 9", length=30)
        with_clock = scene.frame(3.0)
        plain = with_clock[40:].copy()  # the clock's band cut away
        assert ocr.likely_text(with_clock), seed
        assert ocr.likely_text(syn.caption("Calais 22/10/2015")(plain)), seed
        spared += not ocr.likely_text(plain)
    assert not ocr.likely_text(np.full((360, 640, 3), 90, np.uint8))
    # A textured background can look like text (the gate errs towards reading); most do not.
    assert spared >= 4


def test_evidence_switches_from_environment_and_config(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from provenance.errors import SettingsError
    from provenance.settings import load_settings

    config = tmp_path / "config.toml"
    config.write_text("ocr = false\ncredentials = false\n")
    monkeypatch.setenv("PROVENANCE_CONFIG", str(config))
    monkeypatch.setenv("PROVENANCE_AUDIO", "0")
    settings = load_settings()
    assert (settings.audio, settings.ocr, settings.credentials) == (False, False, False)
    monkeypatch.setenv("PROVENANCE_OCR", "on")
    assert load_settings().ocr is True
    monkeypatch.setenv("PROVENANCE_AUDIO", "maybe")
    with pytest.raises(SettingsError, match="is not on or off"):
        load_settings()
    config.write_text('ocr = "no"\n')
    monkeypatch.delenv("PROVENANCE_AUDIO")
    with pytest.raises(SettingsError, match="must be true or false"):
        load_settings()


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_textures_the_edge_test_passes_are_spared_by_the_detector() -> None:
    """A text-free picture whose texture passes the edge test is not read: the detector, run
    alone at SCOUT_SCALE on its bands, finds no text there; on a caption it does."""
    textured = 0
    for seed in range(9, 17):
        scene = syn.CCTVScene(seed=seed, width=640, height=400, label="CAM 9", length=30)
        plain = scene.frame(3.0)[40:].copy()
        bands = ocr.text_bands(plain)
        textured += bool(bands)
        scale = ocr.DETECT_SIDE / min(plain.shape[:2])
        assert not any(ocr._scout_boxes(plain[a:b], scale) is not None for a, b in bands), seed
        assert ocr.read_frame(plain) == [], seed
        captioned = syn.caption("Calais 22/10/2015")(plain)
        assert any(ocr._scout_boxes(captioned[a:b], scale) is not None
                   for a, b in ocr.text_bands(captioned))
    assert textured >= 2  # the edge test alone would have read these


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_text_unchanged_since_an_earlier_frame_is_read_once() -> None:
    """A caption that stays put is read in the first frame only; a clock whose digits changed
    is read again; every frame gets the lines it shows, as reading it alone gives them."""
    scene = syn.CCTVScene(seed=4, width=640, height=360, label="CAM 3", length=30)
    captioned = syn.caption("Calais 22/10/2015")
    frames = {t: captioned(scene.frame(t)).mean(axis=2).astype(np.uint8)  # grey, as verify
              for t in (7.0, 7.25, 9.0)}                                  # keeps them
    read = ocr.TextReader()
    lines = {t: read(frame, t) for t, frame in frames.items()}
    assert read.reads == 3  # the clock and the caption at 7 s, the clock again at 9 s
    for t, frame in frames.items():
        assert [line.text for line in lines[t]] == [line.text for line in ocr.read_frame(frame)]
    assert "02:13:09" in lines[9.0][0].text and "22/10/2015" in lines[9.0][-1].text
    assert all(line.time == 9.0 for line in lines[9.0])


def test_a_caption_stays_put_from_one_kept_frame_to_the_next_and_a_passing_texture_does_not(
        ) -> None:
    # A band of likely text is read in frames spread over a video only where it is steady
    # (evidence._with_new_bands): a caption laid on part of a shot is, a car passing is not.
    scene = syn.CCTVScene(seed=4, width=640, height=360, label="CAM 3", length=30)
    captioned = syn.caption("Calais 22/10/2015")
    now, later = (captioned(scene.frame(t)).mean(axis=2).astype(np.uint8) for t in (7.0, 7.5))
    (band,) = [b for b in ocr.text_bands(now) if b[0] >= 300]  # the caption bar's rows
    assert ocr.steady_share(now, later, band) >= ocr.STEADY_STEPS
    rng = np.random.default_rng(5)
    texture = syn.cv2.resize(rng.integers(0, 255, (12, 40)).astype(np.uint8), (640, 48),
                             interpolation=syn.cv2.INTER_NEAREST)  # a grille's sharp edges
    passing, passed = now.copy(), now.copy()
    passing[150:198, :] = texture
    passed[150:198, :] = np.roll(texture, 24, axis=1)  # half a second on, moved along
    (moving,) = [b for b in ocr.text_bands(passing) if b[0] < 200 <= b[1] or b[0] <= 150 < b[1]]
    assert ocr.steady_share(passing, passed, moving) < ocr.STEADY_STEPS


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
@pytest.mark.parametrize("width, height", [(1280, 720), (640, 360)])
def test_a_thin_text_band_is_detected_as_it_is_and_read_where_it_is(
        width: int, height: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-line caption's band, many times wider than tall, reaches the detector without
    blank rows added (RapidOCR pads such images to a quarter of their width, NO_PADDING), and
    its text is found on the rows it was drawn on and read whole."""
    import cv2

    scene = syn.CCTVScene(seed=5, width=width, height=height + 40, length=30)
    frame = scene.frame(4.0)[40:].copy()  # its own clock label cut away
    text, font, size = "Calais 22/10/2015", cv2.FONT_HERSHEY_SIMPLEX, height / 480
    (_, tall), _ = cv2.getTextSize(text, font, size, 2)
    base = height * 2 // 3
    frame[base - tall - 8:base + 8] //= 4  # a dark bar behind the words, as captions have
    cv2.putText(frame, text, (40, base), font, size, (255, 255, 255), 2, cv2.LINE_AA)
    lines = ocr.read_frame(frame)
    assert [line.text for line in lines] == [text]
    scale = min(ocr.DETECT_SIDE / height, ocr.MAX_WIDTH / width)
    (top, bottom), = [(a, b) for a, b in ocr.text_bands(frame) if a <= base <= b]
    assert (bottom - top) * 8 < width  # a band RapidOCR would have padded
    engine, sizes = ocr._engine(), []
    detect = engine.text_det.session  # loaded by the read above
    monkeypatch.setattr(engine.text_det, "session",
                        lambda image: sizes.append(image.shape) or detect(image))
    boxes = ocr._scout_boxes(frame[top:bottom], scale)
    assert boxes is not None
    rows = boxes[:, :, 1] + top
    assert base - 2 * tall <= rows.min() and rows.max() <= base + tall
    assert boxes[:, :, 0].min() <= 40 + tall
    # the detector got the band scaled for the scout, to the next 32 pixels, no taller
    (_, _, rows_given, _), = sizes
    assert rows_given <= (bottom - top) * scale * ocr.SCOUT_SCALE + 32


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
@pytest.mark.parametrize("hue", sorted(syn.GREY_NEUTRAL_HUES))
def test_a_caption_in_a_saturated_colour_is_read_from_the_frames_colour(hue: str) -> None:
    scene = syn.CCTVScene(seed=4, width=640, height=400, label="CAM 3", length=30)
    frame = syn.colour_caption("CITY HALL STORMED 22/10/2015", hue)(scene.frame(7.0)[40:])
    grey = syn.cv2.cvtColor(frame, syn.cv2.COLOR_BGR2GRAY)
    assert ocr.read_frame(grey) == []  # its grey levels alone show no text
    picture = frame[::2, ::2]  # as the one decode keeps a frame's colour: every n-th pixel
    lines = ocr.TextReader()(grey, 7.0, colour=picture)
    assert len(lines) == 1 and lines[0].colour and lines[0].box is not None, lines
    assert "HALL" in lines[0].text and "22/10/2015" in lines[0].text
    assert lines[0].box[1] >= 0.8  # where it was drawn
    assert any("22/10/2015" in line.text for line in ocr.read_frame(frame))  # a BGR frame's own
    plain = scene.frame(7.0)[40:]  # the same picture without it: no text, in grey or colour
    assert ocr.TextReader()(syn.cv2.cvtColor(plain, syn.cv2.COLOR_BGR2GRAY), 7.0,
                            colour=plain[::2, ::2]) == []


def test_the_ocr_engine_writes_nothing_in_the_home_folder(tmp_path: Path) -> None:
    # A desk audit: onnxruntime's telemetry left a device id and an event store under
    # ~/.cache/Microsoft. The engine is built and reads a frame in a process whose home is
    # empty; nothing is written there.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY",
                                                            "XDG_CACHE_HOME")}
    code = ("import numpy as np; from provenance import ocr; "
            "print(len(ocr._engine()(np.full((64, 256, 3), 255, np.uint8)).txts or ()))")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120,
                   env={**env, "HOME": str(tmp_path)}, capture_output=True)
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*")] == []
