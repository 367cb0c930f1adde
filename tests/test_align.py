"""Alignment on synthetic hash sequences: no video involved."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from provenance import align as aligner
from provenance.align import MatchParams, align
from provenance.models import Alignment, DetectedEdit, Edit, Fingerprint, Segment, Verdict

RATE = 4.0


def make_fp(scene: np.ndarray, motion: np.ndarray, energy: float = 1.0,
            informative: np.ndarray | None = None, mirror: np.ndarray | None = None,
            motion_mirror: np.ndarray | None = None) -> Fingerprint:
    """A fingerprint with the given hashes; the mirror hashes default to a fixed bit flip."""
    n = len(scene)
    return Fingerprint(
        times=np.arange(n) / RATE, scene=scene,
        mirror=scene ^ np.uint64(0xFFFF) if mirror is None else mirror, motion=motion,
        motion_mirror=motion ^ np.uint64(0xFFFF0000) if motion_mirror is None else motion_mirror,
        motion_energy=np.full(n, energy, np.float32),
        informative=np.ones(n, bool) if informative is None else informative,
        duration=n / RATE, width=640, height=360, native_fps=25.0, sample_fps=RATE,
    )


def random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2) + rng.integers(
        0, 2, n, dtype=np.uint64)


def flip_bits(rng: np.random.Generator, hashes: np.ndarray, bits: int) -> np.ndarray:
    out = hashes.copy()
    for i in range(len(out)):
        for b in rng.choice(64, bits, replace=False):
            out[i] ^= np.uint64(1) << np.uint64(int(b))
    return out


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def test_excerpt_is_found_with_exact_times(rng: np.random.Generator) -> None:
    ref = make_fp(random_hashes(rng, 400), random_hashes(rng, 400))
    part = slice(100, 160)  # 25.0-40.0 s of the reference
    query = make_fp(flip_bits(rng, ref.scene[part], 3), flip_bits(rng, ref.motion[part], 4))
    result = align(query, {"ref": ref})
    assert result.verdict is Verdict.MATCH
    (segment,) = result.matches[0].segments
    assert segment.reference_id == "ref"
    assert segment.query_start == pytest.approx(0.0, abs=0.01)
    assert segment.query_end == pytest.approx(15.0, abs=0.3)
    assert segment.reference_start == pytest.approx(25.0, abs=0.3)
    assert not result.unexplained


def test_montage_of_two_references_with_unknown_filler(rng: np.random.Generator) -> None:
    a = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    b = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    filler = make_fp(random_hashes(rng, 24), random_hashes(rng, 24))
    scene = np.concatenate([b.scene[40:80], filler.scene, a.scene[120:160]])
    motion = np.concatenate([b.motion[40:80], filler.motion, a.motion[120:160]])
    result = align(make_fp(scene, motion), {"a": a, "b": b})
    assert result.verdict is Verdict.MATCH
    found = {m.reference_id: m.segments[0] for m in result.matches}
    assert found["b"].query_start == pytest.approx(0.0, abs=0.3)
    assert found["b"].reference_start == pytest.approx(10.0, abs=0.3)
    assert found["a"].query_start == pytest.approx(16.0, abs=0.3)
    assert found["a"].reference_start == pytest.approx(30.0, abs=0.3)
    (gap,) = result.unexplained
    assert gap[0] == pytest.approx(10.0, abs=0.3) and gap[1] == pytest.approx(16.0, abs=0.3)


def test_mirrored_copy_is_found_and_reported(rng: np.random.Generator) -> None:
    ref = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    # Flipping a mirrored copy gives back the original: its mirror hashes are the reference's.
    query = make_fp(random_hashes(rng, 60), random_hashes(rng, 60),
                    mirror=ref.scene[50:110], motion_mirror=ref.motion[50:110])
    result = align(query, {"ref": ref})
    assert result.verdict is Verdict.MATCH
    assert result.matches[0].segments[0].mirrored
    assert Edit.MIRRORED in {e.kind for e in result.matches[0].edits}


def test_same_camera_other_moment_is_same_scene_not_match(rng: np.random.Generator) -> None:
    background = random_hashes(rng, 1)[0]
    ref = make_fp(np.full(300, background), random_hashes(rng, 300))
    query = make_fp(flip_bits(rng, np.full(60, background), 2), random_hashes(rng, 60))
    result = align(query, {"cam": ref})
    assert result.verdict is Verdict.SAME_SCENE
    assert not result.matches
    assert result.same_scene[0].reference_id == "cam"


def _fixed_camera_moving_at(rng: np.random.Generator, moving: list[int]
                            ) -> tuple[Fingerprint, Fingerprint]:
    """A fixed camera (one view) whose picture moves at every sample, and a 6 s excerpt of it
    at 10 s in which only the samples ``moving`` move (the rest still)."""
    background = random_hashes(rng, 1)[0]
    ref = make_fp(np.full(200, background), random_hashes(rng, 200))
    query = make_fp(flip_bits(rng, np.full(24, background), 2), ref.motion[40:64].copy(),
                    energy=0.0, mirror=random_hashes(rng, 24))  # its mirror image unlike it
    energy = query.motion_energy.copy()
    energy[moving] = 1.0
    return ref, replace(query, motion_energy=energy)


def test_moving_samples_that_line_up_at_one_offset_are_no_other_moment(
        rng: np.random.Generator) -> None:
    # The registered moment of a fixed camera where little moves and a caption hides part of
    # it: of its 4 moving samples, 2 line up at its own offset (too few for a match) and 2 are
    # blurred beyond the motion radius. They failed to line up; nothing contradicts the moment.
    ref, query = _fixed_camera_moving_at(rng, [3, 9, 15, 21])
    motion = query.motion.copy()
    motion[[9, 21]] = flip_bits(rng, motion[[9, 21]], 20)
    result = align(replace(query, motion=motion), {"cam": ref})
    assert result.verdict is Verdict.INCONCLUSIVE and not result.matches
    assert result.same_scene[0].segments[0].evidence == 0  # blurred, not disagreeing
    assert "disagree with the registered footage" in result.reason
    # Two of them disagreeing at that offset (as far apart as unrelated hashes) are evidence,
    # too little to show another moment on their own.
    motion[[9, 21]] = flip_bits(rng, query.motion[[9, 21]], 32)
    result = align(replace(query, motion=motion), {"cam": ref})
    assert result.verdict is Verdict.INCONCLUSIVE
    # Too few to accuse anything: the interval is not cut (it is all open).
    (piece,) = result.same_scene[0].segments
    assert piece.evidence == 2 and piece.query_end == pytest.approx(6.0)
    # Another moment's moving samples line up at no offset: same scene, all four counted.
    other = replace(query, motion=random_hashes(rng, 24))
    result = align(other, {"cam": ref})
    assert result.verdict is Verdict.SAME_SCENE
    assert result.same_scene[0].segments[0].evidence == 4


def test_a_same_scene_interval_is_cut_to_where_its_evidence_lies(
        rng: np.random.Generator) -> None:
    # A montage of one view: 3 s where the registered moment stands still (nothing moves, so
    # nothing disagrees), then 3 s of another moment whose movements line up nowhere. The
    # still stretch is the view at a moment not established, not "another moment".
    ref, query = _fixed_camera_moving_at(rng, list(range(12, 24)))
    motion = query.motion.copy()
    motion[12:] = random_hashes(rng, 12)
    result = align(replace(query, motion=motion), {"cam": ref})
    assert result.verdict is Verdict.SAME_SCENE
    still, other = result.same_scene[0].segments
    assert (still.query_start, still.evidence, other.evidence) == (0.0, 0, 12)
    assert still.query_end == pytest.approx(2.75) and other.query_end == pytest.approx(6.0)
    assert aligner.with_open_moments(result).same_scene[0].segments[0].unsettled


def test_noise_is_no_evidence_of_another_moment(rng: np.random.Generator) -> None:
    # A fixed camera's other moment where nothing moves: its motion hashes are compression
    # noise, unlike the original's anywhere, but at a noise level of change: no other moment is
    # shown by them. The same hashes with something clearly moving show it.
    ref, query = _fixed_camera_moving_at(rng, list(range(24)))
    other = replace(query, motion=random_hashes(rng, 24))
    noisy = replace(other, motion_energy=np.full(24, 0.25, np.float32))
    result = align(noisy, {"cam": ref})
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.same_scene[0].segments[0].evidence == 0
    assert align(other, {"cam": ref}).verdict is Verdict.SAME_SCENE


def test_samples_lined_up_at_one_offset_are_counted_once(rng: np.random.Generator) -> None:
    # One query sample whose motion recurs in three reference samples in a row (a slow
    # movement) lines up once there, not three times: three samples agreeing on the excerpt's
    # own offset are the most lined up.
    from provenance.align import DEFAULT_PARAMS, _most_lined_up, _pairings, _query_marks

    ref, query = _fixed_camera_moving_at(rng, [4, 12, 16, 20])
    motion = query.motion.copy()
    motion[4] = random_hashes(rng, 1)[0]
    ref_motion = ref.motion.copy()
    ref_motion[[20, 21, 22]] = motion[4]  # 5-5.5 s: sample 4 (1 s) fits offsets 4-4.5 s
    ref, query = replace(ref, motion=ref_motion), replace(query, motion=motion)
    marks = _query_marks(query, DEFAULT_PARAMS)
    pairing = _pairings(query, "cam", ref, DEFAULT_PARAMS, marks)[0]
    assert _most_lined_up(pairing, query, np.ones(24, bool)) == (3, 40)  # 10 s, in steps
    only_first = np.zeros(24, bool)
    only_first[[4, 12]] = True
    assert _most_lined_up(pairing, query, only_first)[0] == 1


def test_unrelated_is_no_match(rng: np.random.Generator) -> None:
    ref = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    query = make_fp(random_hashes(rng, 60), random_hashes(rng, 60))
    result = align(query, {"ref": ref})
    assert result.verdict is Verdict.NO_MATCH
    assert result.unexplained == ((0.0, 15.0),)


def test_too_short_or_flat_query_is_inconclusive(rng: np.random.Generator) -> None:
    ref = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    short = make_fp(ref.scene[10:16], ref.motion[10:16])
    result = align(short, {"ref": ref})
    assert result.verdict is Verdict.INCONCLUSIVE and "1.5 s" in result.reason
    flat = make_fp(ref.scene[10:60], ref.motion[10:60], informative=np.zeros(50, bool))
    result = align(flat, {"ref": ref})
    assert result.verdict is Verdict.INCONCLUSIVE and "black, flat" in result.reason


def test_static_frames_alone_never_make_a_match_nor_another_moment(
        rng: np.random.Generator) -> None:
    ref = make_fp(random_hashes(rng, 200), random_hashes(rng, 200), energy=0.0)
    query = make_fp(ref.scene[20:80], ref.motion[20:80], energy=0.0)
    result = align(query, {"ref": ref})
    # The view is the original's, but with nothing moving the moment cannot be told: neither
    # "match" nor "same scene" (which would say "another moment"), and the view is listed.
    assert result.verdict is Verdict.INCONCLUSIVE and "nothing moves" in result.reason
    assert [a.reference_id for a in result.same_scene] == ["ref"]
    assert result.same_scene[0].segments[0].evidence == 0
    assert result.same_scene[0].segments[0].similarity == 1.0


# 1.5, 1.7 and 1.9 lie half way between the speeds first tried (1.4, 1.6, 1.8, 2.0): reached only
# where the refinement goes half way to the neighbours.
@pytest.mark.parametrize("speed", [1.25, 0.8, 1.5, 1.7, 1.9])
def test_sped_up_copy_aligns_with_its_speed(rng: np.random.Generator, speed: float) -> None:
    ref = make_fp(random_hashes(rng, 400), random_hashes(rng, 400))
    # A sped-up (or slowed) copy: query sample i shows reference time 20 + speed * t.
    times = np.arange(64) / RATE
    index = np.rint((20.0 + speed * times) * RATE).astype(int)
    query = make_fp(flip_bits(rng, ref.scene[index], 2), flip_bits(rng, ref.motion[index], 3))
    result = align(query, {"ref": ref})
    assert result.verdict is Verdict.MATCH
    (segment,) = result.matches[0].segments
    assert segment.speed == pytest.approx(speed, abs=0.02)
    assert segment.reference_start == pytest.approx(20.0, abs=0.3)
    assert segment.reference_end == pytest.approx(20.0 + speed * 16.0, abs=0.5)
    assert Edit.SPEED in {e.kind for e in result.matches[0].edits}


def _fixed_camera_chance_at_speed(rng: np.random.Generator) -> tuple[Fingerprint, Fingerprint]:
    """A fixed camera (one background) at another moment: nothing moves in the query but five
    samples, 2 s apart, whose motion happens to agree with the recording if it is read at 0.8x
    (and at no single offset at 1x)."""
    background = random_hashes(rng, 1)[0]
    ref = make_fp(flip_bits(rng, np.full(400, background), 1), random_hashes(rng, 400))
    moving = np.array([4, 12, 20, 28, 36])
    motion = random_hashes(rng, 48)
    motion[moving] = ref.motion[np.rint((30.0 + 0.8 * moving / RATE) * RATE).astype(int)]
    energy = np.full(48, 0.05, np.float32)
    energy[moving] = 1.0
    query = make_fp(flip_bits(rng, np.full(48, background), 2), motion)
    return ref, replace(query, motion_energy=energy)


def test_speed_never_makes_a_partial_chance_agreement_of_a_fixed_camera_fit(
        rng: np.random.Generator) -> None:
    ref, query = _fixed_camera_chance_at_speed(rng)
    # Without the speed rule, the 0.8x hypothesis makes these five samples a match (issue #19's
    # "MATCH 0.39 through a 0.89x speed change" of another moment)...
    loose = MatchParams(speed_min_confirmed=MatchParams().min_confirmed, speed_min_cover=0.0)
    assert align(query, {"cam": ref}, loose).verdict is Verdict.MATCH
    # ...with it, a speed needs its own evidence: no match.
    result = align(query, {"cam": ref})
    assert result.verdict is not Verdict.MATCH and not result.matches


def test_speed_is_not_accepted_over_a_piece_of_a_longer_view(rng: np.random.Generator) -> None:
    ref = make_fp(random_hashes(rng, 400), random_hashes(rng, 400))
    # 6 s of a 1.25x copy, then 12 s more of the same view where the motion agrees with nothing:
    # the speed would explain a third of what the query shows of the original.
    times = np.arange(24) / RATE
    index = np.rint((20.0 + 1.25 * times) * RATE).astype(int)
    rest = np.arange(200, 248)
    query = make_fp(np.concatenate([ref.scene[index], ref.scene[rest]]),
                    np.concatenate([ref.motion[index], random_hashes(rng, 48)]))
    strict = MatchParams(speed_min_confirmed=3)
    assert align(query, {"ref": ref}, replace(strict, speed_min_cover=0.0)).matches
    assert not [s for m in align(query, {"ref": ref}, strict).matches for s in m.segments
                if abs(s.speed - 1.0) > 0.02]


def test_extra_matches_fill_only_the_unexplained_part(rng: np.random.Generator) -> None:
    from provenance.align import with_extra_matches
    from provenance.models import Alignment, Segment

    a = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    filler = make_fp(random_hashes(rng, 40), random_hashes(rng, 40))
    query = make_fp(np.concatenate([a.scene[0:40], filler.scene]),
                    np.concatenate([a.motion[0:40], filler.motion]))
    first = align(query, {"a": a})
    assert first.unexplained == ((10.0, 20.0),)
    found = Alignment("b", 0.9, (
        Segment("b", 10.0, 20.0, 3.0, 13.0, evidence=30),
        Segment("b", 0.0, 9.0, 50.0, 59.0, evidence=30),  # already explained: dropped
    ), (DetectedEdit(Edit.PICTURE_IN_PICTURE),))
    merged = with_extra_matches(first, [found], query)
    assert merged.verdict is Verdict.MATCH and merged.unexplained == ()
    by_id = {m.reference_id: m for m in merged.matches}
    assert [s.query_start for s in by_id["b"].segments] == [10.0]
    assert by_id["b"].edits == (DetectedEdit(Edit.PICTURE_IN_PICTURE),)


def test_pairs_from_distinct_hashes_are_every_pair_of_samples(rng: np.random.Generator) -> None:
    # A fixed camera's (and a looped video's) scene hashes repeat: each distinct hash is compared
    # once and its pairs go to every sample that has it. The pairs must be exactly those of
    # comparing every query sample with every reference sample.
    from provenance.align import DEFAULT_PARAMS, _pairings, _query_marks

    views = random_hashes(rng, 12)
    scene_q = flip_bits(rng, views[rng.integers(0, 12, 400)], 3)
    scene_q[::3] = views[rng.integers(0, 12, len(scene_q[::3]))]  # exact repeats
    ref_scene = flip_bits(rng, views[rng.integers(0, 12, 900)], 4)
    query = make_fp(scene_q, random_hashes(rng, 400))
    query = replace(query, motion_energy=rng.uniform(0, 4, 400).astype(np.float32))
    ref = make_fp(ref_scene, flip_bits(rng, query.motion[rng.integers(0, 400, 900)], 6))
    marks = _query_marks(query, DEFAULT_PARAMS)
    pairings = _pairings(query, "ref", ref, DEFAULT_PARAMS, marks)
    assert pairings[0].rows.size > 50  # the unmirrored pairing has votes to compare
    for pairing in pairings:
        scene_q = pairing.scene_q
        usable = np.flatnonzero(query.informative)
        distance = np.array([[bin(int(a) ^ int(b)).count("1") for b in ref.scene]
                             for a in scene_q[usable]])
        scene_ok = distance <= DEFAULT_PARAMS.scene_radius
        moving_q = query.motion_energy[usable] >= DEFAULT_PARAMS.min_motion_energy
        moving_r = ref.motion_energy >= DEFAULT_PARAMS.min_motion_energy
        rows, cols = np.nonzero(scene_ok & moving_q[:, None] & moving_r[None, :])
        motion = np.array([bin(int(pairing.motion_q[usable[r]]) ^ int(ref.motion[c])).count("1")
                           for r, c in zip(rows, cols, strict=True)], dtype=np.uint8)
        keep = motion <= DEFAULT_PARAMS.motion_radius
        assert np.array_equal(pairing.rows, usable[rows[keep]])
        assert np.array_equal(pairing.cols, cols[keep])
        assert np.array_equal(pairing.pair_motion, motion[keep])
        assert np.array_equal(pairing.nearest[usable], distance.min(axis=1))


def test_the_most_contradicting_stretch_is_the_smallest_sum_of_any_stretch() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        values = rng.integers(-1, 2, int(rng.integers(1, 30)))
        worst, first, last = aligner._most_negative(values)
        sums = [(int(values[a:b + 1].sum()), a, b) for a in range(len(values))
                for b in range(a, len(values))]
        assert worst == min(0, min(total for total, _, _ in sums))
        if worst < 0:
            assert int(values[first:last + 1].sum()) == worst


def test_an_edit_two_stages_measured_a_fraction_apart_is_said_once(
        rng: np.random.Generator) -> None:
    # Found as a match, then again on a region: the same screen tilt (9.8° and 10.2°, its
    # place a fraction of a percent apart) must not be listed twice around the letterbox.
    from provenance.align import with_extra_matches
    from provenance.models import Alignment, Segment

    a = make_fp(random_hashes(rng, 200), random_hashes(rng, 200))
    filler = make_fp(random_hashes(rng, 40), random_hashes(rng, 40))
    query = make_fp(np.concatenate([a.scene[0:40], filler.scene]),
                    np.concatenate([a.motion[0:40], filler.motion]))
    first = align(query, {"a": a})
    screen = DetectedEdit(Edit.FILMED_OFF_SCREEN, boxes=((0.141, 0.13, 0.91, 0.87),), angle=9.8)
    letterbox = DetectedEdit(Edit.LETTERBOX, boxes=((0.14, 0.17, 0.91, 0.84),))
    first = replace(first, matches=tuple(replace(m, edits=(screen, letterbox))
                                         for m in first.matches))
    again = DetectedEdit(Edit.FILMED_OFF_SCREEN, boxes=((0.142, 0.131, 0.91, 0.87),), angle=10.2)
    found = Alignment("a", 0.9, (Segment("a", 10.0, 20.0, 40.0, 50.0, evidence=30),),
                      (again,))
    merged = with_extra_matches(first, [found], query)
    assert merged.matches[0].edits == (screen, letterbox)
    assert [str(e) for e in merged.matches[0].edits][0] == str(again)


def test_a_same_scene_piece_without_evidence_is_a_moment_not_established() -> None:
    # A match with stretches of the camera's view around it: one where moving samples disagree
    # with the original (another moment), one where nothing disagrees (a caption over the
    # picture left it unmatched): only the first says "another moment".
    from provenance.align import AlignResult, with_open_moments
    from provenance.models import Alignment, Segment

    matched = Segment("cam", 2.0, 8.0, 12.0, 18.0, evidence=12)
    shown = Alignment("cam", 0.5, (Segment("cam", 0.0, 2.0, 0.0, 0.0, evidence=0),
                                   Segment("cam", 8.0, 12.0, 0.0, 0.0, evidence=5)))
    result = AlignResult(Verdict.MATCH, 0.9, "", (Alignment("cam", 0.9, (matched,)),),
                         (shown,), ())
    pieces = with_open_moments(result).same_scene[0].segments
    assert [s.unsettled for s in pieces] == [True, False]
    inconclusive = replace(result, verdict=Verdict.INCONCLUSIVE, matches=())
    assert all(s.unsettled for s in with_open_moments(inconclusive).same_scene[0].segments)


def test_a_piece_between_two_segments_of_one_take_is_no_other_moment() -> None:
    # A desk audit's captioned copy of the registered footage: matched at 0-5.5 s and 7.3-12 s
    # at one offset, the 1.7 s between them (the caption hid part of the motion) was said to
    # show another moment. The footage runs on at the registered moment on both sides.
    from provenance.align import AlignResult, with_open_moments
    from provenance.models import Alignment, Segment

    gap = Alignment("cam", 0.6, (Segment("cam", 5.531, 7.274, 0.0, 0.0, evidence=7),))

    def piece(second_offset: float, speed: float = 1.0, cuts: tuple[float, ...] = ()
              ) -> Segment:
        first = Segment("cam", 0.0, 5.531, 8.011, 13.542, evidence=13)
        second = Segment("cam", 7.274, 12.0, second_offset + speed * 7.274,
                         second_offset + speed * 12.0, speed=speed, evidence=15)
        result = AlignResult(Verdict.MATCH, 0.9, "", (Alignment("cam", 0.9, (first, second)),),
                             (gap,), ())
        return with_open_moments(result, cuts).same_scene[0].segments[0]

    assert piece(8.011).unsettled
    # two moments of the camera spliced around it (another offset, or another speed): the
    # evidence of another moment stands
    assert not piece(20.0).unsettled
    assert not piece(8.011, speed=1.25).unsettled
    # an insert the video cuts to and back from, the take's timing kept (a second audit: 3 s
    # of the bottles' other moment between two pieces of the registered footage)
    assert not piece(8.011, cuts=(5.5, 7.25)).unsettled


def test_a_segment_begins_where_the_one_before_ends_a_sample_earlier() -> None:
    # A jump inside one camera's footage at 6.0 s: the sample there measures the change across
    # the jump and confirms no mapping, so the second piece began a sample late, with a sliver
    # of the view between. Within CUT_SLIVER_S the piece takes it back, along its mapping;
    # further apart, nothing moves.
    from provenance.align import CUT_SLIVER_S, AlignResult, with_boundaries_moved
    from provenance.models import Alignment, Segment

    def joined(start: float) -> AlignResult:
        first = Segment("cam", 0.0, 6.0, 2.0, 8.0, evidence=12)
        second = Segment("cam", start, 12.0, 9.0 + start, 21.0, evidence=12)
        sliver = Alignment("cam", 0.5, (Segment("cam", 6.0, start, 0.0, 0.0, evidence=1),))
        result = AlignResult(Verdict.MATCH, 0.9, "", (Alignment("cam", 0.9, (first, second)),),
                             (sliver,), ())
        moved = with_boundaries_moved(result, {})
        assert aligner.coverage_error(12.0, moved.matches, moved.same_scene,
                                      moved.unexplained) is None
        return moved

    near = joined(6.268)
    (_, second), = [m.segments for m in near.matches]
    assert (second.query_start, second.reference_start) == (6.0, 15.0) and not near.same_scene
    far = joined(6.0 + CUT_SLIVER_S + 0.2)
    assert far.matches[0].segments[1].query_start == 6.5 and far.same_scene


def test_a_speed_edit_goes_with_the_segment_that_showed_it(rng: np.random.Generator) -> None:
    # A montage's piece lined up at 1.25x and the moment check took it away (another moment):
    # the speed edit stayed on the original's other, unedited piece ("speed changed (x1.25)").
    from provenance.align import AlignResult, with_moments_apart
    from provenance.models import Alignment, Segment

    query = make_fp(random_hashes(rng, 60), random_hashes(rng, 60))
    plain = Segment("cam", 0.0, 5.0, 2.0, 7.0, evidence=16)
    sped = Segment("cam", 10.0, 15.0, 14.1, 20.35, speed=1.25, evidence=11)
    both = Alignment("cam", 0.9, (plain, sped), (DetectedEdit(Edit.SPEED, speed=1.25),
                                                 DetectedEdit(Edit.MIRRORED)))
    result = AlignResult(Verdict.MATCH, 0.9, "", (both,), (), ((5.0, 10.0),))
    (kept,) = with_moments_apart(result, {"cam": [sped]}, query, "another moment").matches
    assert kept.segments == (plain,)
    assert [e.kind for e in kept.edits] == [Edit.MIRRORED]
    # While a sped-up segment stays, so does its edit.
    (still,) = with_moments_apart(result, {}, query, "nothing apart").matches
    assert Edit.SPEED in [e.kind for e in still.edits]


def test_a_later_stages_match_keeps_the_other_moment_of_an_original_matched_before(
        rng: np.random.Generator) -> None:
    # A montage of one camera's moments: its registered pieces matched, 6 s between them at a
    # moment whole frames called the camera's view. A later stage adding a match (the part of
    # the frame clear of a laid picture) left that piece unexplained: "footage the library
    # does not explain". Only an original the stage matches anew loses its same-scene time
    # (whole frames compared a crop's view there).
    from provenance.align import AlignResult, with_extra_matches
    from provenance.models import Alignment, Segment

    query = make_fp(random_hashes(rng, 88), random_hashes(rng, 88))
    registered = Alignment("cam", 0.9, (Segment("cam", 0.0, 8.0, 20.0, 28.0, evidence=20),))
    other = Alignment("cam", 1.0, (Segment("cam", 8.0, 14.0, 0.0, 0.0, evidence=2),))
    crop = Alignment("crop", 1.0, (Segment("crop", 14.0, 22.0, 0.0, 0.0, evidence=2),))
    result = AlignResult(Verdict.MATCH, 0.9, "", (registered,), (other, crop), ())
    found = Alignment("cam", 0.9, (Segment("cam", 14.0, 18.0, 34.0, 38.0, evidence=12),))
    cropped = Alignment("crop", 0.8, (Segment("crop", 18.0, 22.0, 2.0, 6.0, evidence=12),))
    merged = with_extra_matches(result, [found, cropped], query)
    assert [(a.reference_id, [(s.query_start, s.query_end) for s in a.segments])
            for a in merged.same_scene] == [("cam", [(8.0, 14.0)])]


def test_a_camera_beneath_a_picture_laid_over_keeps_its_time_its_moment_left_open(
        rng: np.random.Generator) -> None:
    # The inset measurement's s26: a registered person camera laid in a corner over 20 s of the
    # car camera, whose moment the check could not confirm. The inset's match took all the
    # time and the car vanished from the result, named only in its reason. The camera around
    # the picture is still shown: same-scene beside the inset's time, its moment not
    # established (the picture's own movements are in the whole frame's, so neither can an
    # "another moment" found there stand).
    from provenance.align import AlignResult, coverage_error, with_extra_matches
    from provenance.models import Alignment, Segment

    query = make_fp(random_hashes(rng, 80), random_hashes(rng, 80))
    around = Alignment("car", 1.0, (Segment("car", 0.0, 12.0, 0.0, 0.0, evidence=30),
                                    Segment("car", 12.0, 20.0, 0.0, 0.0, evidence=9,
                                            unsettled=True)))
    result = AlignResult(Verdict.SAME_SCENE, 1.0, "", (), (around,), ())
    box = (0.69, 0.67, 1.0, 1.0)
    inset = Alignment("person", 0.98, (Segment("person", 4.0, 20.0, 15.5, 31.5, evidence=31),),
                      region=box)
    merged = with_extra_matches(result, [inset], query, over=(None,))
    assert [m.reference_id for m in merged.matches] == ["person"]
    assert [(s.query_start, s.query_end, s.unsettled) for a in merged.same_scene
            for s in a.segments] == [(0.0, 4.0, False), (4.0, 12.0, True), (12.0, 20.0, True)]
    assert merged.unexplained == ()
    assert coverage_error(query.duration, merged.matches, merged.same_scene,
                          merged.unexplained) is None
    # a same-scene piece may share time only with a picture laid over, never the whole frame's
    whole = replace(inset, region=None)
    assert coverage_error(query.duration, [whole], merged.same_scene, ()) is not None


def _fixed_camera(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed camera's scene hashes (one view: a bit or two apart from sample to sample) and
    motion hashes (something moves at every sample)."""
    view = int(rng.integers(0, 2**63))
    scene = np.array([view ^ (1 << int(rng.integers(0, 64))) for _ in range(n)], np.uint64)
    return scene, random_hashes(rng, n)


def test_a_run_does_not_cross_a_jump_in_time_inside_one_view(rng: np.random.Generator) -> None:
    # The desk audit's room: its registered 20-28 s, 6 s of it at another moment where nothing
    # moves, then its 34-42 s, the take's timing kept. One offset explains both registered
    # pieces, and the quiet insert contradicts nothing: one segment "matched" all 22 s. The
    # repost cuts to the insert and back (its view jumps 10 bits each way) where the original
    # runs on: runs break there, each piece on its own evidence, marked as cut at a splice.
    scene, motion = _fixed_camera(rng, 200)
    ref = make_fp(scene, motion)
    rows = np.arange(80, 168)  # the original's 20-42 s
    insert = slice(32, 56)  # the repost's 8-14 s
    q_scene, q_motion = scene[rows].copy(), motion[rows].copy()
    q_scene[insert] ^= np.uint64(0x3FF)  # the other moment: the same view, 10 bits apart
    q_motion[insert] = random_hashes(rng, 24)
    query = make_fp(q_scene, q_motion)
    energy = np.ones(len(rows), np.float32)
    energy[insert] = 0.0  # nothing moves in the insert
    energy[[32, 56]] = 30.0  # the cuts to it and back
    cut = replace(query, motion_energy=energy)
    segments = align(cut, {"room": ref}).matches[0].segments
    assert [(s.query_start, s.query_end) for s in segments] == [(0.0, 8.0), (14.0, 22.0)]
    assert all(s.spliced and s.offset == pytest.approx(20.0) for s in segments)
    # A step of the picture's brightness is no jump in time: what the view shows does not
    # change (here 2 bits at most), and the run goes on over it.
    stepped = replace(make_fp(scene[rows], motion[rows]),
                      motion_energy=np.where(np.arange(len(rows)) == 32, 30.0, 1.0)
                      .astype(np.float32))
    (whole,) = align(stepped, {"room": ref}).matches[0].segments
    assert (whole.query_start, whole.query_end) == (0.0, 22.0) and not whole.spliced


def test_only_a_held_picture_of_a_second_or_more_beside_a_match_is_said_and_marked(
        rng: np.random.Generator) -> None:
    # 16 s of a repost that moves at every sample but in two stretches of one picture held
    # (3.0-5.0 s and 9.0-11.0 s). Matches cover all but the last 0.5 s of the first and the
    # first 0.75 s of the second: together 1.25 s, but neither piece is a frozen frame a
    # reader could see, so neither is said nor marked. Cut back to 1.5 s, the second is.
    query = make_fp(random_hashes(rng, 64), random_hashes(rng, 64))
    for start, end in ((3.0, 5.0), (9.0, 11.0)):
        query.motion_energy[int(start * RATE) + 1:int(end * RATE)] = 0.0

    def verified(match_spans: list[tuple[float, float]],
                 camera_shown: bool = True) -> aligner.AlignResult:
        (first_end, second_start) = (match_spans[0][1], match_spans[1][0])
        matched = Alignment("ref", 0.9, tuple(Segment("ref", a, b, a, b) for a, b in match_spans))
        between = Alignment("ref", 0.5, (Segment("ref", first_end, second_start, 0.0, 0.0),))
        same_scene = (between,) if camera_shown else ()
        result = aligner.AlignResult(Verdict.MATCH, 0.9, "matched", (matched,), same_scene, ())
        return aligner.with_held_pictures(
            replace(result, reason=result.reason + aligner._held_said(query, list(
                result.matches), result.same_scene)), query)

    short = verified([(0.0, 4.5), (9.75, 16.0)])
    assert "holds one picture" not in short.reason
    assert not any(s.held for a in short.same_scene for s in a.segments)
    longer = verified([(0.0, 4.5), (10.5, 16.0)])
    assert "holds one picture for 1.5 s" in longer.reason
    (held,) = [s for a in longer.same_scene for s in a.segments if s.held]
    assert (held.query_start, held.query_end) == (9.0, 10.5)
    assert "still picture" not in longer.reason
    # The same held stretch where no registered camera's view is seen (a desk audit's 2 s title
    # card before the footage): a still added to the footage, not a frozen frame of the camera.
    card = verified([(0.0, 4.5), (10.5, 16.0)], camera_shown=False)
    assert "frozen frame" not in card.reason, card.reason
    assert "a still picture no registered camera shows for 1.5 s" in card.reason, card.reason


def test_moving_samples_that_line_up_at_a_changed_speed_are_no_other_moment(
        rng: np.random.Generator) -> None:
    # A fixed camera's registered 14-22 s played at 2x (4 s), 8 of its samples moving: too
    # few for a changed speed's own evidence (SPEED_MIN_CONFIRMED), so nothing is matched.
    # At the original's speed its motion lines up nowhere, which read as "another moment";
    # at 2x it all lines up, so whether this is the registered moment cannot be told.
    background = random_hashes(rng, 1)[0]
    ref = make_fp(np.full(200, background), random_hashes(rng, 200))
    shown = 56 + 2 * np.arange(16)  # 14 s on, at 2x
    query = make_fp(flip_bits(rng, np.full(16, background), 2), ref.motion[shown].copy(),
                    energy=0.0, mirror=random_hashes(rng, 16))
    energy = query.motion_energy.copy()
    energy[1::2] = 1.0
    result = align(replace(query, motion_energy=energy), {"cam": ref})
    assert not result.matches
    assert result.verdict is Verdict.INCONCLUSIVE, result.reason
    # The speed is left for the moment search's pictures to try, with its offset (14 s).
    (view,) = result.same_scene
    assert [s.alternatives for s in view.segments] == [((2.0, 14.0),)]
    # Another moment's moving samples line up at no speed: still another moment.
    other = replace(query, motion=random_hashes(rng, 16), motion_energy=energy)
    assert align(other, {"cam": ref}).verdict is Verdict.SAME_SCENE
    assert all(not s.alternatives for a in align(other, {"cam": ref}).same_scene
               for s in a.segments)


def test_two_stages_speed_edits_merged_are_said_once() -> None:
    # A match sped up (1.46x) and a run the moment search found beside it at the grid's 1.4x:
    # merged, each brought a speed edit; the alignment says one, its first segment's.
    segments = tuple(Segment("cam", a, a + 2.0, 3.0 + a * speed, 3.0 + (a + 2.0) * speed,
                             speed=speed) for a, speed in ((0.0, 1.46), (6.0, 1.4)))
    merged = Alignment("cam", 0.9, segments, edits=(
        DetectedEdit(Edit.MIRRORED), DetectedEdit(Edit.SPEED, speed=1.46),
        DetectedEdit(Edit.SPEED, speed=1.4)))
    assert aligner.speed_as_shown(merged).edits == (
        DetectedEdit(Edit.MIRRORED), DetectedEdit(Edit.SPEED, speed=1.46))
    at_1x = replace(merged, segments=tuple(replace(s, speed=1.0) for s in segments))
    assert aligner.speed_as_shown(at_1x).edits == (DetectedEdit(Edit.MIRRORED),)


def test_time_carrying_a_match_past_a_cut_off_originals_held_end_is_no_other_moment() -> None:
    """A same-scene piece that continues a match of an original held only to 31.9 s of its 60 s
    at the match's mapping, from within 3 s of that end, is a moment not established and the
    match no splice; one that begins far inside the held footage (a splice there was compared)
    keeps both (a review)."""
    from provenance.align import AlignResult, with_held_ends
    from provenance.models import Alignment, Segment

    def after(segment: Segment, piece: Segment) -> tuple[bool, bool]:
        result = with_held_ends(AlignResult(
            Verdict.MATCH, 0.9, "", (Alignment("cam", 0.9, (segment,)),),
            (Alignment("cam", 0.5, (piece,)),), ()), {"cam": (31.9, 60.0)})
        return result.matches[0].segments[0].spliced, result.same_scene[0].segments[0].unsettled

    near = Segment("cam", 0.0, 7.5, 19.69, 29.06, speed=1.25, spliced=True)
    assert after(near, Segment("cam", 7.5, 20.2, 0.0, 0.0)) == (False, True)
    far = Segment("cam", 0.0, 10.0, 0.0, 10.0, spliced=True)
    assert after(far, Segment("cam", 10.0, 35.0, 0.0, 0.0)) == (True, False)
    # a piece that ends before the held end is compared footage: another moment stands
    assert after(near, Segment("cam", 7.5, 9.0, 0.0, 0.0)) == (True, False)
