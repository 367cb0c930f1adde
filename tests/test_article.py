"""Finding the videos an article references: a pure function over saved HTML."""

from __future__ import annotations

import json

from provenance.acquire import canonical_url, find_videos, page_text

PAGE = """<!doctype html><html><head>
<title>Migrants &amp; the tunnel</title>
<meta property="og:video" content="/media/og.mp4">
<meta name="twitter:player" content="https://www.youtube.com/embed/AAAAAAAAAAA">
<script type="application/ld+json">%s</script>
<script>var fake = "<video src='no.mp4'>";</script>
</head><body>
<video src="clips/main.mp4"></video>
<video controls><source src="clips/alt.webm" type="video/webm"></video>
<iframe src="https://www.youtube-nocookie.com/embed/AAAAAAAAAAA?start=3"></iframe>
<iframe src="https://www.facebook.com/plugins/video.php?href=https%%3A%%2F%%2Fwww.facebook.com%%2Fpage%%2Fvideos%%2F123456%%2F&show_text=0"></iframe>
<iframe src="https://player.vimeo.com/video/76979871?h=abc"></iframe>
<iframe src="https://www.dailymotion.com/embed/video/x7tgad0"></iframe>
<iframe src="https://www.tiktok.com/embed/v2/7100000000000000000"></iframe>
<iframe src="https://www.instagram.com/p/CabcDEF/embed/"></iframe>
<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1450000000000000000"></iframe>
<iframe src="https://maps.example.com/embed?q=calais"></iframe>
<a href="downloads/raw.MOV">raw footage</a>
<a href="https://youtu.be/BBBBBBBBBBB">another</a>
<a href="https://www.youtube.com/">YouTube home</a>
<a href="/about.html">about</a>
</body></html>"""
JSON_LD = {"@context": "https://schema.org", "@graph": [
    {"@type": "NewsArticle", "headline": "x"},
    {"@type": "VideoObject", "contentUrl": "https://cdn.example.com/v/ld.mp4",
     "embedUrl": "https://www.youtube.com/embed/AAAAAAAAAAA"},
]}


def test_every_reference_kind_once_with_canonical_urls() -> None:
    refs = find_videos(PAGE % json.dumps(JSON_LD), "https://news.example.com/2015/10/story.html")
    urls = [r.url for r in refs]
    assert urls == [
        "https://news.example.com/media/og.mp4",
        "https://www.youtube.com/watch?v=AAAAAAAAAAA",
        "https://cdn.example.com/v/ld.mp4",
        "https://news.example.com/2015/10/clips/main.mp4",
        "https://news.example.com/2015/10/clips/alt.webm",
        "https://www.facebook.com/page/videos/123456/",
        "https://vimeo.com/76979871",
        "https://www.dailymotion.com/video/x7tgad0",
        "https://www.tiktok.com/embed/v2/7100000000000000000",
        "https://www.instagram.com/p/CabcDEF/",
        "https://x.com/i/status/1450000000000000000",
        "https://news.example.com/2015/10/downloads/raw.MOV",
        "https://www.youtube.com/watch?v=BBBBBBBBBBB",
    ]
    where = {r.url: r.found_in for r in refs}
    assert where["https://cdn.example.com/v/ld.mp4"] == "JSON-LD VideoObject.contentUrl"
    assert where["https://news.example.com/2015/10/clips/alt.webm"] == "<video><source src>"


def test_base_tag_and_no_video_page() -> None:
    html = '<html><head><base href="https://cdn.example.org/a/"></head>' \
           '<body><video src="v.mp4"></video></body></html>'
    assert [r.url for r in find_videos(html, "https://site.example/")] == [
        "https://cdn.example.org/a/v.mp4"]
    assert find_videos("<html><body><p>no video</p></body></html>", "https://x.example/") == []


def test_supported_predicate_admits_other_hosts() -> None:
    html = '<iframe src="https://videos.example.net/player/42"></iframe>'
    assert find_videos(html, "https://a.example/") == []
    refs = find_videos(html, "https://a.example/", lambda url: "videos.example.net" in url)
    assert [r.url for r in refs] == ["https://videos.example.net/player/42"]


def test_hostile_markup_does_not_break_the_finder() -> None:
    html = "<video src='javascript:alert(1)'></video><video src='data:video/mp4;base64,AAAA'>" \
           "<script type='application/ld+json'>{not json</script>" + "<div>" * 10000
    assert find_videos(html, "https://a.example/") == []


def test_canonical_url_leaves_plain_urls_alone() -> None:
    assert canonical_url("https://example.com/v.mp4?x=1") == "https://example.com/v.mp4?x=1"
    assert canonical_url("https://youtu.be/CCCCCCCCCCC?t=4") == \
        "https://www.youtube.com/watch?v=CCCCCCCCCCC"


def test_page_text_skips_scripts() -> None:
    title, text = page_text("<title> A  story </title><script>var d='01/01/2000'</script>"
                            "<p>Filmed on 22/10/2015</p>")
    assert title == "A story"
    assert "22/10/2015" in text and "01/01/2000" not in text


def test_article_command_lists_each_reference_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from provenance.cli import main

    page = tmp_path / "story.html"
    page.write_text(PAGE % json.dumps(JSON_LD))
    result = CliRunner().invoke(main, ["article", str(page), "--json"])
    assert result.exit_code == 0, result.stderr
    listing = json.loads(result.stdout)
    urls = [v["url"] for v in listing["videos"]]
    # og:video's "/media/og.mp4" names a file at the root of this disk, outside the saved
    # page's folder: refused (a warning), not listed
    assert len(urls) == len(set(urls)) == 12
    assert "'/media/og.mp4' is not opened" in result.stderr
    assert "https://www.youtube.com/watch?v=AAAAAAAAAAA" in urls
    assert listing["title"] == "Migrants & the tunnel"
    text = CliRunner().invoke(main, ["article", str(page)]).stdout
    assert text.count("found in") == 12


def test_remote_page_cannot_point_at_local_files() -> None:
    html = "<video src='file:///etc/passwd'></video><base href='file:///etc/'>" \
           "<video src='shadow.mp4'></video>"
    assert find_videos(html, "https://evil.example/") == []
    local = find_videos("<video src='clip.mp4'></video>", "file:///home/desk/story.html")
    assert [r.url for r in local] == ["file:///home/desk/clip.mp4"]


# -- the page's own publication date: from its markup and metadata only -----------------------

_BODY = ("<h1>Road footage 22/10/2015</h1><p>The bypass opened to traffic in 2016, on 3 March "
         "2016.</p><p class='note'>Archive 2014-05-06</p>"
         "<a href='x.html'>filmed in Lyon on 13 July 2023</a><video src='clip.mp4'></video>")


def test_dates_in_the_text_are_not_the_publication_date() -> None:
    from provenance.acquire import published_date

    page = f"<!doctype html><html><head><title>Road 2016-03-03</title></head><body>{_BODY}"
    assert published_date(page, "https://news.example.com/story.html") == ""
    assert published_date(page, "file:///home/desk/2016-03-03/story.html") == ""


def test_publication_date_from_meta_json_ld_and_header_time() -> None:
    from provenance.acquire import published_date

    meta = '<meta property="article:published_time" content="2023-07-15T08:00:00Z">'
    json_ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
               '"datePublished": "2023-07-16T10:00:00+02:00"}</script>')
    header = ('<article><header><h2>Road</h2><time datetime="2023-07-17">17 July</time>'
              '</header><p>On <time datetime="2019-01-01">new year</time> it snowed.</p>')
    for head, body, expected in ((meta, "", "2023-07-15"), (json_ld, "", "2023-07-16"),
                                 ("", header, "2023-07-17")):
        page = f"<html><head>{head}</head><body>{body}{_BODY}</body></html>"
        assert published_date(page, "https://news.example.com/story.html") == expected
    # a <time> in the running text is a date the article speaks of, not when it was published
    body_time = "<p>On <time datetime='2019-01-01'>new year</time> it snowed.</p>"
    assert published_date(f"<html><body>{body_time}{_BODY}</body></html>") == ""
    # a byline's text is the page's own date (read_page labels it "byline" too), below metadata
    byline = "<p class='byline'>Publié le jeudi 22 octobre 2015 par Jean</p>"
    assert published_date(f"<html><body>{byline}{_BODY}</body></html>") == "2015-10-22"
    assert published_date(f"<html><head>{meta}</head><body>{byline}{_BODY}</body></html>") \
        == "2023-07-15"
    assert published_date(f"<html><body>{header}{byline}{_BODY}</body></html>") == "2023-07-17"
    # an element marked as an event's date is a date the page speaks of, not its byline
    event = "<p class='event-date'>14 July 2023</p>"
    assert published_date(f"<html><body>{event}{_BODY}</body></html>") == ""
    assert published_date(f"<html><body><p class='post-date'>14 July 2023</p>{_BODY}"
                          "</body></html>") == "2023-07-14"


# -- a saved page may only name videos in its own folder ----------------------------------------

def _local_page(tmp_path):  # type: ignore[no-untyped-def]
    site = tmp_path / "site"
    (site / "media").mkdir(parents=True)
    for name in ("clip.mp4", "media/b.mp4"):
        (site / name).write_bytes(b"not really a video")
    secret = tmp_path / "secret.mp4"
    secret.write_bytes(b"a file beside the page's folder")
    (site / "link.mp4").symlink_to(secret)
    page = site / "page.html"
    page.write_text(
        "<h1>Story</h1><video src='clip.mp4'></video><video src='media/b.mp4'></video>"
        "<video src='file:///etc/passwd'></video><video src='/etc/hostname'></video>"
        "<video src='../../../../etc/hostname'></video>"
        "<video src='%2e%2e/secret.mp4'></video><video src='link.mp4'></video>"
        f"<video src='{secret.as_uri()}'></video>")
    return site, page


def test_a_saved_page_names_only_videos_in_its_own_folder(tmp_path, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    site, page = _local_page(tmp_path)
    with caplog.at_level(logging.WARNING, logger="provenance"):
        refs = find_videos(page.read_text(), page.resolve().as_uri())
    assert [r.url for r in refs] == [(site / "clip.mp4").resolve().as_uri(),
                                     (site / "media/b.mp4").resolve().as_uri()]
    said = caplog.text
    for raw in ("file:///etc/passwd", "/etc/hostname", "../../../../etc/hostname",
                "%2e%2e/secret.mp4", "link.mp4"):
        assert repr(raw) in said, raw
    assert "file:// URL" in said and "outside the page's folder" in said


def test_a_saved_page_naming_a_file_with_a_nul_byte_is_refused(caplog) -> None:  # type: ignore[no-untyped-def]
    # Found by test_fuzz: a NUL byte, written or percent-escaped, made the folder check raise
    # ValueError ("embedded null byte") instead of leaving the reference out.
    import logging

    page = '<video src="0\x00"></video><video src="clip%00.mp4"></video>'
    with caplog.at_level(logging.WARNING, logger="provenance"):
        assert find_videos(page, "file:///tmp/page.html") == []
    assert caplog.text.count("not a file name") == 2


def test_cli_does_not_open_files_a_saved_page_names_outside_its_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from provenance.cli import main
    from provenance.library import Library

    site, page = _local_page(tmp_path)
    listed = CliRunner().invoke(main, ["article", str(page), "--json"])
    assert listed.exit_code == 0, listed.output
    urls = [v["url"] for v in json.loads(listed.stdout)["videos"]]
    assert urls == [(site / "clip.mp4").resolve().as_uri(),
                    (site / "media/b.mp4").resolve().as_uri()]
    assert "not opened" in listed.stderr and "'file:///etc/passwd'" in listed.stderr
    # only refused references: nothing is opened, and no path is read as a video
    page.write_text("<video src='file:///etc/passwd'></video><video src='/etc/hostname'>")
    out = tmp_path / "out.jsonld"
    Library(tmp_path / "lib.db", create=True).close()
    result = CliRunner().invoke(main, ["verify", str(page), "--db", str(tmp_path / "lib.db"),
                                       "--jsonld", str(out)])
    assert result.exit_code != 0
    assert "references no video" in result.stderr and "not a video" not in result.output
    assert not out.exists() or "/etc/" not in out.read_text()
    # what the page named and was not opened is said with each video's result, not only on
    # stderr: its two in-folder "videos" are verified (and fail: they are not videos)
    _, page = _local_page(tmp_path / "again")
    result = CliRunner().invoke(main, ["verify", str(page), "--db", str(tmp_path / "lib.db"),
                                       "--json"])
    reports = json.loads(result.stdout)["results"]
    assert len(reports) == 2
    for report in reports:
        refused = [s for s in report["skipped"] if "is not opened" in s]
        assert len(refused) == 6 and any("'file:///etc/passwd'" in s for s in refused)
    # and said once for the article in the text and the HTML report, not under every video
    shown = tmp_path / "both.html"
    result = CliRunner().invoke(main, ["verify", str(page), "--db", str(tmp_path / "lib.db"),
                                       "--report", str(shown)])
    article, *videos = result.stdout.split("\n\n")
    assert article.startswith("Article:") and len(videos) == 2, result.stdout
    assert article.count("is not opened") == 6 and "'file:///etc/passwd'" in article
    assert not any("is not opened" in video for video in videos), result.stdout
    assert shown.read_text().count("&#x27;file:///etc/passwd&#x27;") == 1
    # an in-folder video that cannot be read: its error names it as the page does, and as it was
    # not verified, the JSON-LD (what a desk publishes) reviews nothing of it
    page.write_text("<video src='missing.mp4'></video>")
    shown = tmp_path / "out.html"
    result = CliRunner().invoke(main, ["verify", str(page), "--db", str(tmp_path / "lib.db"),
                                       "--jsonld", str(out), "--report", str(shown)])
    assert "NOT VERIFIED</span>missing.mp4: no such file" in shown.read_text()
    assert json.loads(out.read_text()) == []
    # also where the page's folder is reached through a symbolic link (its references are
    # resolved, symlinks followed)
    (tmp_path / "by-link").symlink_to(page.parent)
    CliRunner().invoke(main, ["verify", str(tmp_path / "by-link" / page.name), "--db",
                              str(tmp_path / "lib.db"), "--report", str(shown)])
    assert "NOT VERIFIED</span>missing.mp4: no such file" in shown.read_text()
