"""Which video each piece of a page is about (acquire.read_page), and claims read from it."""

from __future__ import annotations

from datetime import date

from provenance.acquire import read_page
from provenance.claims import read_claims
from provenance.models import ARTICLE, ClaimKind, Passage

BASE = "https://news.example/story.html"


def _about(html: str) -> dict[str, object]:
    refs, passages, _ = read_page(html, BASE)
    return {p.text: (p.applies_to, p.found_in) for p in passages} | {"#videos": len(refs)}


def test_figures_embeds_and_the_page_wide_parts() -> None:
    about = _about("""<html><head><title>T</title></head><body><h1>Storm videos</h1>
    <p class="byline">Published 12 June 2024</p><p>Two videos went round.</p>
    <figure><video src="a.mp4"></video><figcaption>Filmed 10 June 2024 in Nice.</figcaption>
    </figure><p>The first is authentic.</p>
    <iframe src="https://www.youtube.com/embed/abcdefghijk" title="Tram, 3 March 2024"></iframe>
    <p>The second is older.</p></body></html>""")
    assert about["#videos"] == 2
    assert about["Storm videos"] == (ARTICLE, "headline")
    assert about["Published 12 June 2024"] == (ARTICLE, "byline")
    assert about["Two videos went round."] == (ARTICLE, "lede")
    assert about["Filmed 10 June 2024 in Nice."] == (0, "figcaption")
    assert about["The first is authentic."] == (0, "paragraph")
    assert about["Tram, 3 March 2024"] == (1, "embed title")
    assert about["The second is older."] == (1, "paragraph")


def test_paragraphs_between_videos_split_by_headings_and_pointing_words() -> None:
    about = _about("""<body><video src="a.mp4"></video><p>Filmed in Lyon.</p>
    <h2>Second</h2><p>This one was filmed in Nice.</p><video src="b.mp4"></video>
    <p>Caption of b.</p><p>The clip below is from 2012:</p><video src="c.mp4"></video></body>""")
    assert about["Filmed in Lyon."] == (0, "paragraph")
    assert about["Second"][0] == 1 and about["This one was filmed in Nice."] == (1, "paragraph")
    assert about["Caption of b."] == (1, "paragraph")
    assert about["The clip below is from 2012:"] == (2, "paragraph")
    # A paragraph announcing another angle belongs to the video after it (a desk audit).
    for said in ("Another angle, filmed mid-September in Lyon.", "A second camera saw it too.",
                 "Un autre angle, filmé à Lyon.", "Deuxième plan, filmé la veille."):
        about = _about(f"""<body><video src="a.mp4"></video><p>{said}</p>
        <video src="b.mp4"></video></body>""")
        assert about[said] == (1, "paragraph"), said
    # ... unless it points back too (a review)
    for said in ("Another view of the same scene above, filmed in 2019.",
                 "The second camera in the video above, filmed in 2019 in Lyon.",
                 "Une autre vue de la scène ci-dessus, filmée en 2019.",
                 "The first video shows another angle of the crash, filmed in 2019."):
        about = _about(f"""<body><video src="a.mp4"></video><p>{said}</p>
        <video src="b.mp4"></video></body>""")
        assert about[said] == (0, "paragraph"), said


def test_a_paragraph_naming_a_video_by_its_rank_is_that_videos() -> None:
    # a desk audit: each date stood before its video; the first was read as the lede and the
    # second as the first video's, so each video was rated on the other's date
    about = _about("""<body><p>The first clip was filmed on 16 September 2015.</p>
    <video src="a.mp4"></video><p>The second was filmed on 3 March 2016.</p>
    <video src="b.mp4"></video><p>La troisième vidéo montre Lyon.</p>
    <video src="c.mp4"></video><p>On the second day it rained.</p></body>""")
    assert about["The first clip was filmed on 16 September 2015."] == (0, "paragraph")
    assert about["The second was filmed on 3 March 2016."] == (1, "paragraph")
    assert about["La troisième vidéo montre Lyon."] == (2, "paragraph")
    assert about["On the second day it rained."] == (2, "paragraph")  # no video's rank
    # one paragraph naming two videos by rank is split by sentence; one about every video is
    # every video's (a desk audit gave both sentences to the second video, and "Both videos"
    # to the first only)
    about = _about("""<body><p>Both videos below were filmed in Kyiv.</p>
    <video src="a.mp4"></video><video src="b.mp4"></video>
    <p>The first video was filmed on 22 October 2023. It shows the ring road. The second video
    shows a factory in Lyon.</p></body>""")
    assert about["Both videos below were filmed in Kyiv."] == (ARTICLE, "paragraph")
    assert about["The first video was filmed on 22 October 2023."] == (0, "paragraph")
    assert about["It shows the ring road."] == (0, "paragraph")
    assert about["The second video shows a factory in Lyon."] == (1, "paragraph")


def test_one_video_owns_the_whole_page_and_metadata_refs_find_their_place() -> None:
    about = _about("""<html><head><meta property="og:video" content="v.mp4"></head><body>
    <h1>H</h1><p>Lede.</p><video src="v.mp4"></video><p>After.</p><p>Much later.</p>
    <blockquote class="twitter-tweet"><p>Tonight!</p><a href="https://twitter.com/a/status/1">
    Jan 3</a></blockquote></body></html>""")
    assert about["#videos"] == 2  # the page's video and the tweet
    assert about["After."] == (0, "paragraph") and about["Much later."] == (0, "paragraph")
    assert about["Tonight!"] == (1, "embedded post")


def test_event_dates_publication_dates_and_relative_dates() -> None:
    said = read_claims([
        Passage("Publié le 23/10/2015. La vidéo circule depuis hier.", "byline"),
        Passage("Filmed 22 October 2015 at Coquelles, posted on 23 October 2015.",
                "paragraph", 0),
        Passage("Hailstones fell on Monday. Filmed by TCL Lyon and shared by @someone.",
                "paragraph", 0),
        Passage("Open 24/7; filmé le 12/03 selon l'auteur, mi-septembre selon Eurotunnel.",
                "paragraph", 0),
    ], reference=date(2015, 10, 23))
    found = {(c.kind.value, c.value, c.applies_to) for c in said}
    assert ("published", "2015-10-23", ARTICLE) in found
    assert ("date", "2015-10-22", 0) in found and ("published", "2015-10-23", 0) in found
    assert ("place", "Coquelles", 0) in found
    assert ("date", "2015-10-19", 0) in found  # the Monday before 23 October 2015
    assert ("source", "TCL Lyon", 0) in found and ("uploader", "@someone", 0) in found
    assert ("date", "2015-03-12", 0) in found and ("date", "2015-09-11/2015-09-20", 0) in found
    assert not any(c.value.startswith("2015-07-24") for c in said)  # "24/7" is not a date
    quotes = {c.quote for c in said if c.kind is ClaimKind.DATE and c.value == "2015-10-22"}
    assert quotes == {"Filmed 22 October 2015 at Coquelles, posted on 23 October 2015."}


def test_the_source_is_a_name_not_the_rest_of_the_sentence() -> None:
    (claim,) = [c for c in read_claims([Passage(
        "Video posted by @LyonNewsNow and has been viewed 2 million times.", "paragraph", 0)])
        if c.kind is ClaimKind.UPLOADER]
    assert claim.value == "@LyonNewsNow"
    assert not read_claims([Passage("Tram crash video: what we know", "headline")])



def test_a_huge_page_is_read_within_a_budget_and_says_so() -> None:
    from provenance.claims import MAX_TEXT_CHARS

    text = "Filmed on 3 March 2024 in Lyon by Someone. " * 50
    passages = [Passage(text, "paragraph", 0) for _ in range(2 * MAX_TEXT_CHARS // len(text))]
    said = read_claims(passages, date(2024, 3, 10))
    assert said[-1].kind is ClaimKind.NOTE and "left out" in said[-1].finding
    assert sum(len(p.text) for p in passages[:len(passages) // 2]) <= MAX_TEXT_CHARS


def test_a_video_s_own_text_comes_before_the_opening_of_a_page_of_several() -> None:
    """The opening (headline, lede) of a page of several videos is not applied to a video
    whose own text claims the same kind of thing: a desk audit's second video, captioned in
    Lyon on 13 July, had been "placed in Lyon and Paris" through a lede about the first. With
    one video, or for kinds its own text does not state, the opening still applies."""
    lede = Passage("This video was filmed in Paris on July 14, 2023.", "lede", ARTICLE)
    headline = Passage("Riot videos filmed by Paris Live TV", "headline", ARTICLE)
    own = Passage("Filmed at the prefecture in Lyon on 13 July 2023.", "figcaption", 1)

    def said(passages: list[Passage], several: bool) -> set[tuple[ClaimKind, str]]:
        return {(c.kind, c.value) for c in read_claims(passages, several_videos=several)
                if c.kind in (ClaimKind.DATE, ClaimKind.PLACE, ClaimKind.SOURCE)}

    second = said([headline, lede, own], several=True)
    assert {k for k, _ in second} == {ClaimKind.DATE, ClaimKind.PLACE, ClaimKind.SOURCE}
    assert all("Paris" not in v and "07-14" not in v for k, v in second
               if k is not ClaimKind.SOURCE)  # the video's own date and place only
    assert (ClaimKind.SOURCE, "Paris Live TV") in second  # a kind its own text does not state
    alone = said([headline, lede, own], several=False)
    assert any("Paris" in v for k, v in alone if k is ClaimKind.PLACE)
    assert any("07-14" in v for k, v in alone if k is ClaimKind.DATE)


def test_every_passage_carries_the_language_its_page_declares() -> None:
    for tag, language in (('lang="es-ES"', "es"), ('xml:lang="de"', "de"), ("", ""),
                          ('lang="<script>"', "")):
        _, passages, _ = read_page(f"""<html {tag}><body><h1>Vídeo</h1><figure>
        <video src="a.mp4"></video><figcaption>Grabado el 22/10/2015</figcaption></figure>
        </body></html>""", BASE)
        assert {p.language for p in passages} == {language}
    # and a claim read from a page in a language whose words are not read says so
    (claim,) = [c for c in read_claims([Passage("Grabado el 22/10/2015", "figcaption", 0, "es")])
                if c.kind is ClaimKind.DATE]
    assert claim.language == "es"


def test_a_json_ld_video_s_name_and_description_are_its_words() -> None:
    """A desk audit: a VideoObject's description "Filmed in Kyiv on 22 October 2023" found the
    video but was not read; its words go with the video, whichever reference came first."""
    meta = ('<script type="application/ld+json">{"@type": "VideoObject", "name": "Traffic", '
            '"description": "Filmed in Kyiv on 22 October 2023", "contentUrl": "a.mp4"}'
            '</script>')
    for html in (f"<head>{meta}</head><body><p>Lede.</p><video src='a.mp4'></video></body>",
                 f"<body><p>Lede.</p><video src='a.mp4'></video>{meta}</body>"):
        about = _about(html)
        assert about["#videos"] == 1
        assert about["Traffic"] == (0, "embed title")
        assert about["Filmed in Kyiv on 22 October 2023"] == (0, "embed description")
    refs, passages, _ = read_page(f"<head>{meta}</head><body><video src='a.mp4'></video></body>",
                                  BASE)
    said = {(c.kind, c.value) for c in read_claims(passages)}
    assert {(ClaimKind.DATE, "2023-10-22"), (ClaimKind.PLACE, "Kyiv")} <= said


def test_a_json_ld_video_s_upload_date_bounds_when_it_was_filmed() -> None:
    """A desk audit: a VideoObject's uploadDate was not read. It says when the video went
    online, an upper bound on its filming, for that video only: a video uploaded before its
    matched original was recorded is not that footage as the page says."""
    from provenance.claims import check_dates
    from provenance.models import Original
    from provenance.pipeline import article_contexts, said_about

    meta = ('<script type="application/ld+json">{"@type": "VideoObject", "name": "Traffic", '
            '"uploadDate": "2015-09-01T08:00:00+00:00", "contentUrl": "a.mp4"}</script>')
    html = (f"<head>{meta}</head><body><p>Two views.</p><video src='a.mp4'></video>"
            "<video src='b.mp4'></video></body>")
    refs, contexts, _ = article_contexts(html, BASE, BASE)
    assert len(refs) == 2
    first, second = (said_about(i, contexts[i], {}) for i in range(2))
    uploaded = [c for c in first if c.found_in == "embed upload date"]
    assert [(c.kind, c.value, c.applies_to) for c in uploaded] == [
        (ClaimKind.PUBLISHED, "2015-09-01", 0)]
    assert not any(c.found_in == "embed upload date" for c in second)
    assert "2015-09-01T08" not in " ".join(c.text for c in first if c.kind is ClaimKind.DATE)
    (checked,) = check_dates(uploaded, [Original(id="cam", recorded_at="2015-09-16")])
    assert checked.status == "contradicted", checked.finding
