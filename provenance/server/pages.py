"""The web pages: submit a verification, watch it, read its report; browse and add originals.

Served whole by the app (one small inline script each, no framework, nothing fetched from
elsewhere); every value is escaped where it is written. The report itself is the CLI's HTML.
"""

from __future__ import annotations

import html
import json
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

from .access import Refused
from .service import REPORT_CSP, Server, original_fields

# Pages run only their own inline script and talk only to this server.
PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")
_CSS = """
body{font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1d;
background:#f4f4f2}main{max-width:860px;margin:auto;padding:12px}nav a{margin-right:1em}
section{background:#fff;border-radius:8px;padding:12px 14px;margin:14px 0;
box-shadow:0 1px 3px #0002}
label{display:block;margin:.5em 0 .15em;font-weight:600}input,textarea,button{font:inherit;
box-sizing:border-box;width:100%;padding:.45em;border:1px solid #bbb;border-radius:5px}
button{background:#1b5fa8;color:#fff;border:0;margin-top:.8em;cursor:pointer}
.row{display:flex;gap:.6em;flex-wrap:wrap}.row>div{flex:1 1 12em}.muted{color:#666;font-size:.9em}
.error{color:#a00;font-weight:600}progress{width:100%;height:1.2em}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em;border-bottom:1px
solid #ddd;vertical-align:top;overflow-wrap:break-word}th{white-space:nowrap}
.scroll{overflow-x:auto}
"""
_COMMON_JS = """
function token(){return (document.getElementById('token')||{}).value||
  sessionStorage.getItem('provenance-token')||'';}
function auth(){var t=token();if(t){sessionStorage.setItem('provenance-token',t);
  return {'Authorization':'Bearer '+t};}return {};}
function say(id,text,bad){var e=document.getElementById(id);e.textContent=text;
  e.className=bad?'error':'muted';}
async function failure(r){try{var j=await r.json();return (j.error||r.statusText)+
  (j.hint?' \\u2014 '+j.hint:'');}catch(e){return 'HTTP '+r.status;}}
"""


def _page(title: str, body: str, script: str = "", status: int = 200) -> HTMLResponse:
    text = (f"<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body><main>"
            f"<nav><a href='/'>Verify</a><a href='/library'>Library</a>"
            f"<a href='/api/v1/openapi.json'>API</a></nav>{body}</main>"
            f"<script>{_COMMON_JS}{script}</script></body></html>")
    return HTMLResponse(text, status, headers={"Content-Security-Policy": PAGE_CSP,
                                               "X-Content-Type-Options": "nosniff"})


_INDEX = """
<h1>Is this video what its caption claims?</h1>
<section><form id=verify>
<label for=url>Article or video URL</label><input id=url name=url type=url
 placeholder="https://...">
<label for=file>or a video file</label><input id=file name=file type=file accept="video/*">
<div class=row>
<div><label for=date>Claimed date</label><input id=date name=date placeholder="2015-10-22"></div>
<div><label for=place>Claimed place</label><input id=place name=place></div>
<div><label for=source>Claimed source</label><input id=source name=source></div>
</div>
<label for=caption>Caption of the post</label><textarea id=caption name=caption rows=2></textarea>
{token_field}
<button id=go type=submit>Verify</button><p id=status class=muted></p>
</form></section>
<section><h2>Recent verifications</h2><div class=scroll><table>{recent}</table></div></section>
"""
_INDEX_JS = """
document.getElementById('verify').addEventListener('submit',async function(ev){
  ev.preventDefault();var f=document.getElementById('file').files[0];
  var claims={};['date','place','source','caption'].forEach(function(k){
    var v=document.getElementById(k).value.trim();if(v)claims[k]=v;});
  var opts={method:'POST',headers:auth()};
  if(f){var data=new FormData();data.append('file',f);data.append('claims',JSON.stringify(claims));
    opts.body=data;}
  else{opts.headers['Content-Type']='application/json';
    opts.body=JSON.stringify({url:document.getElementById('url').value.trim(),claims:claims});}
  say('status','submitting\\u2026');
  var r=await fetch('/api/v1/verifications',opts);
  if(r.status!==202){say('status',await failure(r),true);return;}
  var j=await r.json();location.href=j.links.page;});
"""
_JOB = """
<h1>Verifying</h1><section><p><b>{display}</b></p>{claims}
<p id=stage class=muted>{status}</p><progress id=bar></progress>
<ol id=stages class=muted></ol>
<p id=status class=muted></p>
<p class=muted>Permanent link: <a id=permalink href="/v/{id}">/v/{id}</a></p></section>
"""
_JOB_JS = """
var id=%s;var bar=document.getElementById('bar');var last='';
var events=new EventSource('/api/v1/verifications/'+id+'/events');
events.addEventListener('progress',function(e){var j=JSON.parse(e.data);var p=j.progress;
  var text=j.status+(p.stage?' \\u2014 '+p.stage:'');
  if(p.total){bar.max=p.total;bar.value=Math.min(p.done,p.total);
    text+=' '+p.done.toFixed(1)+' of '+p.total.toFixed(1);}else{bar.removeAttribute('value');}
  if(j.note)text+=' ('+j.note+')';say('stage',text);
  if(p.stage&&p.stage!==last){last=p.stage;var li=document.createElement('li');
    li.textContent=p.stage;document.getElementById('stages').appendChild(li);}
  if(j.status==='failed'){say('status',j.error+(j.hint?' \\u2014 '+j.hint:''),true);}});
events.addEventListener('end',function(e){events.close();var j=JSON.parse(e.data);
  if(j.status==='done'){location.reload();}});
"""
_LIBRARY = """
<h1>Library</h1><section><form id=search method=get action=/library>
<label for=q>Search by id, title, source or date</label>
<input id=q name=q value="{q}"><button type=submit>Search</button></form>
<p id=count class=muted></p>
<div class=scroll><table><thead><tr><th>id</th><th>title</th><th>source</th><th>recorded</th>
<th>length</th></tr></thead><tbody id=originals></tbody></table></div></section>
<section><h2>Add an original (editors)</h2><form id=add>
<label for=file>Video file</label><input id=file type=file accept="video/*">
<label for=source_url>or its URL</label><input id=source_url type=url>
<div class=row>{fields}</div>
<label for=token>Token (editors; on a public server also to read the list)</label>
<input id=token type=password autocomplete=off>
<button type=submit>Add to the library</button><p id=status class=muted></p></form></section>
"""
# The list is read from the API (so a public server's token rule holds here too) and written
# with textContent, which never interprets what it writes.
_LIBRARY_JS = """
async function load(){var q=document.getElementById('q').value;
  var r=await fetch('/api/v1/originals?q='+encodeURIComponent(q),{headers:auth()});
  if(r.status!==200){say('count',await failure(r),true);return;}
  var rows=await r.json();var body=document.getElementById('originals');body.textContent='';
  rows.forEach(function(o){var tr=document.createElement('tr');
    [o.id,o.title,o.source,o.recorded_at,o.duration.toFixed(1)+' s'].forEach(function(v){
      var td=document.createElement('td');td.textContent=v;tr.appendChild(td);});
    body.appendChild(tr);});
  say('count',rows.length+' original(s)'+(q?' matching':''));}
load();
document.getElementById('add').addEventListener('submit',async function(ev){
  ev.preventDefault();var data=new FormData();var f=document.getElementById('file').files[0];
  if(f)data.append('file',f);
  else data.append('source_url',document.getElementById('source_url').value);
  %s.forEach(function(k){data.append(k,document.getElementById('m-'+k).value);});
  say('status','adding (fingerprinting the video)\\u2026');
  var r=await fetch('/api/v1/originals',{method:'POST',headers:auth(),body:data});
  if(r.status>=300){say('status',await failure(r),true);return;}
  var j=await r.json();say('status',(j.added?'added ':'already in the library as ')+j.original.id);
  load();});
"""


def _cell(value: Any) -> str:
    return f"<td>{html.escape(str(value))}</td>"


def add_routes(app: FastAPI, server: Server) -> None:

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        # Everyone's recent submissions are shown on loopback only, like the API's list.
        recent = "".join(
            f"<tr><td><a href='/v/{j.id}'>{html.escape(j.display[:120])}</a></td>"
            f"{_cell(j.status)}{_cell(_answer(j.result))}</tr>"
            for j in (server.store.recent(limit=20) if server.config.loopback else []))
        token_field = ("" if server.config.loopback else
                       "<label for=token>Token</label><input id=token type=password "
                       "autocomplete=off>")
        return _page("provenance", _INDEX.format(recent=recent, token_field=token_field),
                     _INDEX_JS)

    @app.get("/v/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(job_id: str) -> Any:
        try:
            job = server.job(job_id)
        except Refused as refused:  # a person followed a link: a page, not the API's JSON
            return _page("provenance: not found", f"<h1>{html.escape(refused.message)}</h1>"
                         f"<p class=muted>{html.escape(refused.hint)}</p>", status=refused.status)
        report = server.reports / f"{job.id}.html"
        if job.status == "done" and report.is_file():
            return FileResponse(report, media_type="text/html; charset=utf-8",
                                headers={"Content-Security-Policy": REPORT_CSP})
        claims = "".join(f"<li>claimed {html.escape(k)}: {html.escape(v)}</li>"
                         for k, v in job.claims.items())
        body = _JOB.format(display=html.escape(job.display), status=html.escape(job.status),
                           id=job.id, claims=f"<ul class=muted>{claims}</ul>" if claims else "")
        if job.status == "failed":
            body += (f"<section><p class=error>{html.escape(job.error or '')}</p>"
                     f"<p class=muted>{html.escape(job.hint or '')}</p></section>")
        return _page("provenance: verifying", body, _JOB_JS % _js_string(job.id))

    @app.get("/library", response_class=HTMLResponse, include_in_schema=False)
    def library_page(q: str = "") -> HTMLResponse:
        names = original_fields()
        inputs = "".join(f"<div><label for=m-{n}>{n.replace('_', ' ')}</label>"
                         f"<input id=m-{n}></div>" for n in names)
        body = _LIBRARY.format(q=html.escape(q[:200]), fields=inputs)
        return _page("provenance: library", body, _LIBRARY_JS % _js_string(names))


def _answer(result: dict[str, Any] | None) -> str:
    """A finished job's finding, the answer a checker publishes, then its footage verdicts (a
    desk audit: "match" alone stood beside a miscaptioned post)."""
    if not result:
        return ""
    results = result.get("results", [result])
    verdicts = ", ".join(str(r.get("verdict", "")) for r in results)
    finding = result.get("finding") if isinstance(result.get("finding"), dict) else None
    return f"{finding.get('rating', '')} (footage: {verdicts})" if finding else verdicts


def _js_string(value: Any) -> str:
    """A value as a JavaScript literal that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&",
                                                                                    "\\u0026")
