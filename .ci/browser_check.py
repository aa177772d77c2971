#!/usr/bin/env python3
"""Look at the built book in a real browser: overflows, cut equations, console errors.

Usage (from the repository root, after ``jupyter-book build .``)::

    python .ci/browser_check.py                      # every page of _build/html, 1280 and 390 px
    python .ci/browser_check.py --pages layers --pages 'book/kernel_*'
    python .ci/browser_check.py --screenshots /tmp/shots     # also full-page PNGs
    python .ci/browser_check.py --html /elsewhere/_build/html --widths 1280

What it does
------------
1. Serves the HTML folder (``--html``, default ``_build/html``) on ``127.0.0.1`` with Python's
   ``http.server``.
2. Opens every ``*.html`` page (not ``_static/`` or ``_sources/``) in headless Chromium,
   driven by playwright (``--chromium``, default Debian's ``/usr/bin/chromium``, started with
   ``--no-sandbox``), once per width (``--widths``, default 1280 and 390).  The narrow widths
   (below 800 px) are emulated as a phone (``is_mobile``, touch), so the page's viewport meta
   tag applies as on a real phone.
3. Waits for the page to load, for MathJax to finish typesetting and for the web fonts, takes
   the screenshot if asked (the page as a reader first sees it), then opens every
   ``<details>`` (collapsed solutions, dropdowns) so that their content is measured too.
4. Reports, per page and width:

   * **console errors**: ``console.error`` messages and uncaught exceptions (failed requests
     for resources that this offline machine cannot reach and has no local copy of are listed
     apart, as "offline", and do not count);
   * **page overflow**: the page is wider than the viewport (``scrollWidth > innerWidth``),
     with the outermost elements that stick out past the viewport's right edge;
   * **display equations** (MathJax ``mjx-container[display="true"]``, Sphinx's ``div.math``)
     whose typeset formula is wider than its box: ``scrolls`` when a box of the equation's
     own (``overflow-x: auto``) scrolls it inside the viewport, ``cut`` otherwise (clipped by
     an ``overflow: hidden`` box, past the viewport, or never typeset), and ``covered`` when
     the equation number lies over the formula.

Exit status: 1 when anything at all is reported at a width of 1000 px or more (console
errors, page overflow, an equation that scrolls, is cut or covered), or when an equation is
cut or covered at a narrower width; otherwise 0.  At phone widths an equation that scrolls in
its own box is fine and a page overflow is reported without failing (``--strict`` makes every
report fail).

Resources from a CDN
--------------------
The pages load MathJax, require.js and the Jupyter widget manager from CDNs (jsdelivr, unpkg,
cdnjs).  Every request to another host goes through playwright's ``page.route``: it is first
sent to the network (once per host; a host that fails is not tried again, ``--offline`` skips
the network altogether), and when that fails it is answered from local copies of the npm
packages: ``https://cdn.jsdelivr.net/npm/<package>@<version>/<path>`` (and the same on
unpkg.com) is ``<path>`` in the npm package ``<package>@<version>``; cdnjs's
``ajax/libs/require.js/<version>/require.min.js`` is ``require.js`` of the npm package
``requirejs@<version>``.  The packages are fetched once with ``npm pack`` (or, without npm,
from ``https://registry.npmjs.org``) and unpacked in the cache folder (``--cache``, default
``~/.cache/defocus-teach-browser-check``).

Requirements: the ``playwright`` Python package (its own browsers are not needed) and a
Chromium; npm, or access to the npm registry, on the first run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import functools
import http.server
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path.home() / ".cache" / "defocus-teach-browser-check"
REGISTRY = "https://registry.npmjs.org"
DESKTOP_WIDTH = 1000  # at this width or more, every report is a failure
PHONE_BELOW = 800  # narrower viewports are emulated as a phone
VIEWPORT_HEIGHT = 900

# cdnjs library name -> (npm package, {file on cdnjs: file in the npm package})
CDN_HOSTS = {"cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"}
CDNJS_PACKAGES = {
    "require.js": ("requirejs", {"require.min.js": "require.js", "require.js": "require.js"}),
}


# ---------------------------------------------------------------------------------------------
# local copies of npm packages


def cdn_to_npm(url: str) -> tuple[str, str, str] | None:
    """The npm package, version spec and file that a CDN URL serves, or None.

    >>> cdn_to_npm("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    ('mathjax', '3', 'es5/tex-mml-chtml.js')
    >>> cdn_to_npm("https://unpkg.com/@jupyter-widgets/html-manager@1.0.6/dist/embed-amd.js")
    ('@jupyter-widgets/html-manager', '1.0.6', 'dist/embed-amd.js')
    >>> cdn_to_npm("https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/require.min.js")
    ('requirejs', '2.3.4', 'require.js')
    """
    parts = urllib.parse.urlsplit(url)
    path = urllib.parse.unquote(parts.path)
    if parts.netloc == "cdn.jsdelivr.net" and path.startswith("/npm/"):
        path = path[len("/npm/") :]
    elif parts.netloc == "unpkg.com":
        path = path.lstrip("/")
    elif parts.netloc == "cdnjs.cloudflare.com":
        match = re.fullmatch(r"/ajax/libs/([^/]+)/([^/]+)/(.+)", path)
        if not match or match.group(1) not in CDNJS_PACKAGES:
            return None
        package, files = CDNJS_PACKAGES[match.group(1)]
        return package, match.group(2), files.get(match.group(3), match.group(3))
    else:
        return None
    match = re.fullmatch(r"((?:@[^/@]+/)?[^/@]+)(?:@([^/]+))?/(.*)", path)
    if not match:
        return None
    return match.group(1), match.group(2) or "latest", match.group(3)


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.+-]", version))


def _resolve_from_registry(package: str, spec: str) -> tuple[str, str]:
    """(version, tarball URL) for ``package@spec`` from the registry's metadata."""
    quoted = urllib.parse.quote(package, safe="@")
    with urllib.request.urlopen(f"{REGISTRY}/{quoted}", timeout=60) as response:
        meta = json.load(response)
    versions = meta["versions"]
    if spec in meta.get("dist-tags", {}):
        version = meta["dist-tags"][spec]
    elif spec in versions:
        version = spec
    else:
        prefix = spec.lstrip("^~=v").rstrip(".x")
        major = prefix.split(".")[0]
        candidates = [
            v
            for v in versions
            if re.fullmatch(r"[0-9.]+", v)
            and (v.split(".")[0] == major if spec.startswith("^") else v.startswith(prefix + "."))
            and _version_key(v) >= _version_key(prefix)
        ]
        if not candidates:
            raise LookupError(f"no version of {package} matches {spec!r}")
        version = max(candidates, key=_version_key)
    return version, versions[version]["dist"]["tarball"]


def _download_tarball(package: str, spec: str, workdir: Path) -> Path:
    """Fetch the npm tarball of ``package@spec`` into ``workdir``; return its path."""
    npm = shutil.which("npm")
    if npm:
        result = subprocess.run(
            [npm, "pack", f"{package}@{spec}", "--json", "--pack-destination", str(workdir)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            filename = json.loads(result.stdout)[0]["filename"]
            return workdir / filename
        print(f"  npm pack {package}@{spec} failed: {result.stderr.strip()[-300:]}", flush=True)
    version, tarball = _resolve_from_registry(package, spec)
    target = workdir / f"{package.replace('/', '-').lstrip('@')}-{version}.tgz"
    with urllib.request.urlopen(tarball, timeout=300) as response, open(target, "wb") as out:
        shutil.copyfileobj(response, out)
    return target


class NpmCache:
    """Unpacked npm packages in ``root/<package>@<spec>/``, fetched on first use."""

    def __init__(self, root: Path):
        self.root = root
        self.failed: set[tuple[str, str]] = set()
        self.lock = threading.Lock()

    def folder(self, package: str, spec: str) -> Path | None:
        target = self.root / f"{package.replace('/', '+')}@{spec}"
        if (target / "package.json").is_file():
            return target
        with self.lock:
            if (target / "package.json").is_file():
                return target
            if (package, spec) in self.failed:
                return None
            print(f"  fetching the npm package {package}@{spec} into {self.root}", flush=True)
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(dir=self.root) as tmp:
                    tarball = _download_tarball(package, spec, Path(tmp))
                    unpacked = Path(tmp) / "unpacked"
                    with tarfile.open(tarball) as archive:
                        if hasattr(tarfile, "data_filter"):
                            archive.extractall(unpacked, filter="data")
                        else:  # Python < 3.11.4
                            archive.extractall(unpacked)
                    (top,) = unpacked.iterdir()  # "package/" in npm tarballs
                    top.rename(target)
            except Exception as error:
                print(f"  cannot fetch {package}@{spec}: {error}", flush=True)
                self.failed.add((package, spec))
                return None
        return target

    def file_for(self, url: str) -> Path | None:
        mapped = cdn_to_npm(url)
        if mapped is None:
            return None
        package, spec, relative = mapped
        folder = self.folder(package, spec)
        if folder is None:
            return None
        path = (folder / relative).resolve()
        if folder.resolve() not in path.parents or not path.is_file():
            return None
        return path


# ---------------------------------------------------------------------------------------------
# the local web server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def find_pages(html: Path, patterns: list[str]) -> list[str]:
    """Relative paths of the HTML pages, filtered by glob patterns or page names."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        relative = path.relative_to(html).as_posix()
        if relative.split("/")[0] in {"_static", "_sources"}:
            continue
        if patterns and not any(
            fnmatch.fnmatch(relative, pattern)
            or fnmatch.fnmatch(relative.removesuffix(".html"), pattern)
            or fnmatch.fnmatch(path.stem, pattern)
            for pattern in patterns
        ):
            continue
        pages.append(relative)
    return pages


# ---------------------------------------------------------------------------------------------
# measurements in the page

_WAIT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}
"""

_OPEN_DETAILS_JS = """
() => { document.querySelectorAll('details').forEach(d => { d.open = true; }); }
"""

_MEASURE_JS = """
(viewport) => {
  const tol = 1;
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += '#' + el.id;
    const classes = [...el.classList].slice(0, 3);
    if (classes.length) text += '.' + classes.join('.');
    return text;
  };
  const where = (el) => {
    const section = el.closest('section[id], div.section[id]');
    return section ? '#' + section.id : '';
  };
  const snippet = (el) => (el.innerText || el.textContent || '')
    .replace(/\\s+/g, ' ').trim().slice(0, 60);
  const isFixed = (el) => {
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const position = getComputedStyle(a).position;
      if (position === 'fixed' || position === 'sticky') return true;
    }
    return false;
  };
  const doc = document.documentElement;
  const scrollWidth = Math.max(doc.scrollWidth, document.body ? document.body.scrollWidth : 0);

  // what makes the page wider than the viewport: the outermost elements that stick out past
  // its right edge, and the blocks whose own text overflows them (a long word, a formula),
  // leaving out what a box of its own clips or scrolls, and fixed or sticky elements
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible'
          && a.getBoundingClientRect().right <= viewport + tol) return true;
    }
    return false;
  };
  const blockOf = (el) => {
    let a = el;
    while (a.parentElement && a.parentElement !== document.body
           && getComputedStyle(a).display.startsWith('inline')) a = a.parentElement;
    return a;
  };
  const overflowsItself = (el) => {
    const style = getComputedStyle(el);
    return !style.display.startsWith('inline') && style.overflowX === 'visible'
      && el.scrollWidth > el.clientWidth + tol;
  };
  // the text that sticks out of a block: the first text node past the viewport's edge
  const offender = (block) => {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()];
      if (rects.some(r => r.right > viewport + tol)) {
        const tag = node.parentElement ? node.parentElement.tagName.toLowerCase() : '';
        return `${tag}: ${node.textContent.replace(/\\s+/g, ' ').trim().slice(0, 60)}`;
      }
    }
    return '';
  };
  const candidates = new Set();
  if (scrollWidth > viewport + tol) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const parent = el.parentElement;
      const sticksOut = r.right > viewport + tol
        && !(parent && parent.getBoundingClientRect().right > viewport + tol);
      const ownText = overflowsItself(el) && r.left + el.scrollWidth > viewport + tol
        && ![...el.children].some(c => c.getBoundingClientRect().right > r.right + tol
                                       || overflowsItself(c));
      if (!(sticksOut || ownText) || isFixed(el) || clipped(el)) continue;
      candidates.add(blockOf(el));
    }
  }
  const wide = [...candidates]
    .filter(c => ![...candidates].some(o => o !== c && o.contains(c)))
    .slice(0, 12)
    .map(el => {
      const r = el.getBoundingClientRect();
      const width = Math.max(r.width, el.scrollWidth);
      return {element: describe(el), where: where(el), width: Math.round(width),
              right: Math.round(r.left + width), text: snippet(el), offender: offender(el)};
    });

  // display equations
  const blocks = new Set();
  document.querySelectorAll('div.math').forEach(d => blocks.add(d));
  document.querySelectorAll('mjx-container[display="true"]').forEach(m => {
    if (!m.closest('div.math')) blocks.add(m);
  });
  const equations = [];
  for (const block of blocks) {
    const box = block.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not displayed
    const container = block.matches('mjx-container') ? block
      : block.querySelector('mjx-container');
    const eqno = block.querySelector('.eqno');
    const label = (eqno ? eqno.textContent.replace('#', '').trim() + ' ' : '')
      + (block.id ? '#' + block.id : where(block));
    let tex = '';
    if (container && window.MathJax && MathJax.startup && MathJax.startup.document) {
      try {
        const items = MathJax.startup.document.getMathItemsWithin(container);
        if (items.length) tex = items[0].math;
      } catch (error) { /* no source */ }
    }
    tex = (tex || block.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 70);
    const math = container && container.querySelector('mjx-math');
    if (!math) {
      equations.push({label, tex, status: 'cut', detail: 'not typeset by MathJax',
                      formula: 0, box: Math.round(box.width)});
      continue;
    }
    const m = math.getBoundingClientRect();
    // the box the formula must fit in: the container's content box
    const cs = getComputedStyle(container);
    const c = container.getBoundingClientRect();
    const left = c.left + parseFloat(cs.paddingLeft) + parseFloat(cs.borderLeftWidth);
    const right = c.right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth);
    const overflows = m.width > right - left + tol || m.right > right + tol
      || m.left < left - tol;
    // a box of its own that scrolls it: overflow-x auto/scroll, inside the viewport
    let scroller = null;
    for (let a = math.parentElement; a && a !== block.parentElement; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (['auto', 'scroll'].includes(style.overflowX) && a.scrollWidth > a.clientWidth + tol) {
        scroller = a;
        break;
      }
    }
    const inViewport = (r) => r.left >= -tol && r.right <= viewport + tol;
    let status = 'ok';
    let detail = '';
    if (overflows || !inViewport(m)) {
      if (scroller && inViewport(scroller.getBoundingClientRect())) {
        status = 'scrolls';
        detail = `${describe(scroller)} scrolls ${scroller.scrollWidth} px in `
          + `${scroller.clientWidth} px`;
      } else {
        status = 'cut';
        detail = `formula ${Math.round(m.width)} px, box ${Math.round(right - left)} px`
          + (inViewport(m) ? '' : `, right edge at ${Math.round(m.right)} px`);
      }
    }
    if (eqno && status !== 'scrolls') {
      const e = eqno.getBoundingClientRect();
      const visibleRight = Math.min(m.right, right);
      const visibleLeft = Math.max(m.left, left);
      const overlap = Math.min(e.right, visibleRight) - Math.max(e.left, visibleLeft);
      const vertical = Math.min(e.bottom, m.bottom) - Math.max(e.top, m.top);
      if (e.width > 0 && overlap > tol && vertical > tol) {
        if (status === 'ok') status = 'covered';
        detail += (detail ? '; ' : '') + `the number covers ${Math.round(overlap)} px`;
      }
    }
    equations.push({label, tex, status, detail, formula: Math.round(m.width),
                    box: Math.round(right - left)});
  }
  return {scrollWidth, innerWidth: window.innerWidth, wide, equations};
}
"""


@dataclass
class Result:
    page: str
    width: int
    scroll_width: int = 0
    wide: list[dict] = field(default_factory=list)
    equations: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    offline: list[str] = field(default_factory=list)
    redirect: str = ""

    @property
    def desktop(self) -> bool:
        return self.width >= DESKTOP_WIDTH

    def by_status(self, *statuses: str) -> list[dict]:
        return [eq for eq in self.equations if eq["status"] in statuses]

    @property
    def page_overflow(self) -> bool:
        return self.scroll_width > self.width + 1

    def failures(self, strict: bool = False) -> list[str]:
        """What makes the run fail, as short phrases."""
        out = []
        everything = self.desktop or strict
        if self.errors:
            out.append(f"{len(self.errors)} console error(s)")
        if self.page_overflow and everything:
            out.append(f"page {self.scroll_width} px wide")
        bad = ("scrolls", "cut", "covered") if everything else ("cut", "covered")
        if self.by_status(*bad):
            out.append(f"{len(self.by_status(*bad))} equation(s) {'/'.join(bad)}")
        return out


def reachable(host: str) -> bool:
    """Whether ``https://host/`` answers at all (any HTTP status) within a few seconds."""
    try:
        urllib.request.urlopen(
            urllib.request.Request(f"https://{host}/", method="HEAD"), timeout=8
        )
    except urllib.error.HTTPError:
        return True
    except Exception:
        return False
    return True


class Router:
    """Answers requests to other hosts: the network first, the npm cache when that fails."""

    def __init__(self, cache: NpmCache, offline: bool):
        self.cache = cache
        self.offline = offline
        self.dead_hosts: set[str] = set()
        self.served_locally: set[str] = set()
        self.lock = threading.Lock()
        hosts = sorted(CDN_HOSTS)
        if offline:
            self.dead_hosts.update(hosts)
        else:
            with concurrent.futures.ThreadPoolExecutor(len(hosts)) as pool:
                alive = dict(zip(hosts, pool.map(reachable, hosts), strict=True))
            self.dead_hosts.update(host for host, ok in alive.items() if not ok)

    def local_page(self, route) -> None:
        """Serve a page of the book; drop the integrity hash of resources served locally.

        cdnjs's ``require.min.js`` is minified by cdnjs: the npm package has the same code
        unminified, whose hash cannot match the page's ``integrity`` attribute, so Chromium
        would block it.  Only tags whose URL is on a host answered from the cache lose it.
        """
        response = route.fetch()
        body = response.text()
        dead = "|".join(re.escape(host) for host in sorted(self.dead_hosts))
        if dead and "integrity=" in body:
            tag = re.compile(r"<(?:script|link)\b[^>]*\bhttps://(?:" + dead + r")/[^>]*>")
            integrity = re.compile(r'\s+integrity="[^"]*"')
            body = tag.sub(lambda match: integrity.sub("", match.group(0)), body)
        route.fulfill(response=response, body=body)

    def __call__(self, route, request, unserved: list[str]) -> None:
        url = request.url
        host = urllib.parse.urlsplit(url).netloc
        if not self.offline and host not in self.dead_hosts:
            try:
                response = route.fetch(timeout=15_000)
            except Exception:
                with self.lock:
                    self.dead_hosts.add(host)
            else:
                route.fulfill(response=response)
                return
        path = self.cache.file_for(url)
        if path is None:
            unserved.append(url)
            route.abort("internetdisconnected")
            return
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix in {".js", ".mjs"}:
            content_type = "application/javascript"
        self.served_locally.add(url.split("?")[0])
        route.fulfill(
            status=200,
            body=path.read_bytes(),
            headers={"Content-Type": content_type, "Access-Control-Allow-Origin": "*"},
        )


def check_page(
    browser, base: str, page_path: str, width: int, router: Router, shots: Path | None
) -> Result:
    result = Result(page_path, width)
    phone = width < PHONE_BELOW
    context = browser.new_context(
        viewport={"width": width, "height": VIEWPORT_HEIGHT},
        device_scale_factor=1,
        is_mobile=phone,
        has_touch=phone,
    )
    unserved: list[str] = []
    context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"),
        lambda route, request: router(route, request, unserved),
    )
    context.route(re.compile(re.escape(base) + r"[^?#]*\.html([?#].*)?$"), router.local_page)
    page = context.new_page()
    console: list[tuple[str, str]] = []

    def on_console(message) -> None:
        if message.type == "error":
            console.append((message.text, (message.location or {}).get("url", "")))

    page.on("console", on_console)
    page.on("pageerror", lambda error: result.errors.append(f"uncaught: {error}"))
    try:
        page.goto(base + page_path, wait_until="load", timeout=120_000)
        try:
            page.wait_for_load_state("networkidle", timeout=30_000)
        except Exception:
            pass
        page.evaluate(_WAIT_JS)
        final = page.url.split("#")[0]
        if final != base + page_path:  # e.g. index.html, a redirect to the root chapter
            result.redirect = final.removeprefix(base)
            return result
        if shots is not None:
            name = page_path.removesuffix(".html").replace("/", "__")
            page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        page.evaluate(_OPEN_DETAILS_JS)
        page.evaluate(_WAIT_JS)
        measured = page.evaluate(_MEASURE_JS, width)
    finally:
        context.close()
        result.offline = sorted(set(unserved))
        for text, url in console:
            offline_failure = text.startswith("Failed to load resource") and (
                url in result.offline or "ERR_INTERNET_DISCONNECTED" in text
            )
            if not offline_failure:
                result.errors.append(text + (f" ({url})" if url else ""))
    result.scroll_width = measured["scrollWidth"]
    result.wide = measured["wide"]
    result.equations = measured["equations"]
    return result


# ---------------------------------------------------------------------------------------------
# the report


def print_report(results: list[Result], strict: bool) -> int:
    widths = sorted({r.width for r in results}, reverse=True)
    pages = list(dict.fromkeys(r.page for r in results))
    by_key = {(r.page, r.width): r for r in results}

    def cell(r: Result | None) -> str:
        if r is None:
            return "-"
        parts = []
        if r.page_overflow:
            parts.append(f"page {r.scroll_width}px")
        counts = {s: len(r.by_status(s)) for s in ("cut", "covered", "scrolls")}
        parts += [f"{n} eq {status}" for status, n in counts.items() if n]
        if r.errors:
            parts.append(f"{len(r.errors)} err")
        text = ", ".join(parts) or ("redirect" if r.redirect else "ok")
        return ("FAIL " if r.failures(strict) else "") + text

    headers = ["page"] + [f"{w} px" for w in widths]
    rows = [[page] + [cell(by_key.get((page, w))) for w in widths] for page in pages]
    sizes = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(f"{{:<{size}}}" for size in sizes)
    print()
    print(line.format(*headers))
    print(line.format(*["-" * size for size in sizes]))
    for row in rows:
        print(line.format(*row))

    print("\nDetails")
    for r in results:
        notes = []
        if r.page_overflow:
            notes.append(f"  page is {r.scroll_width} px wide in a {r.width} px viewport")
            for w in r.wide:
                notes.append(
                    f"    {w['element']} {w['where']}: {w['width']} px wide, right edge at "
                    f"{w['right']} px: {w['text']!r}"
                    + (f", past the edge: {w['offender']!r}" if w["offender"] else "")
                )
        for eq in r.equations:
            if eq["status"] != "ok":
                notes.append(
                    f"  equation {eq['label']} {eq['status']}: {eq['detail']}: {eq['tex']!r}"
                )
        if r.redirect:
            notes.append(f"  redirects to {r.redirect} (not measured here)")
        notes += [f"  console error: {error}" for error in r.errors]
        if r.offline:
            notes.append(f"  offline, not checked ({len(r.offline)}): " + ", ".join(r.offline[:3]))
        if notes:
            print(f"{r.page} at {r.width} px")
            print("\n".join(notes))

    failing = [r for r in results if r.failures(strict)]
    n_eq = sum(len(r.equations) for r in results)
    print(
        f"\n{len(pages)} page(s) x {len(widths)} width(s), {n_eq} display equation(s) measured;"
        f" {len(failing)} page/width(s) fail"
    )
    for r in failing:
        print(f"  FAIL {r.page} at {r.width} px: " + "; ".join(r.failures(strict)))
    return 1 if failing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Open every page of the built book in headless Chromium and report "
        "console errors, page overflows and display equations wider than their box."
    )
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument(
        "--pages",
        action="append",
        default=[],
        metavar="PATTERN",
        help="only pages whose path (book/layers.html), path without .html or name (layers) "
        "matches this glob; repeatable",
    )
    parser.add_argument("--widths", type=int, nargs="+", default=[1280, 390])
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="full-page PNGs here")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--offline", action="store_true", help="never try the CDNs")
    parser.add_argument("--strict", action="store_true", help="every report fails the run")
    args = parser.parse_args(argv)

    html = args.html.resolve()
    if not (html / "index.html").is_file():
        print(f"browser_check: no index.html in {html}: build the book first", file=sys.stderr)
        return 2
    pages = find_pages(html, args.pages)
    if not pages:
        print(f"browser_check: no page matches {args.pages}", file=sys.stderr)
        return 2
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    server, base = serve(html)
    router = Router(NpmCache(args.cache), args.offline)
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, headless=True, args=["--no-sandbox"]
            )
            try:
                for page_path in pages:
                    for width in args.widths:
                        print(f"checking {page_path} at {width} px", flush=True)
                        try:
                            results.append(
                                check_page(
                                    browser, base, page_path, width, router, args.screenshots
                                )
                            )
                        except Exception as error:
                            failed = Result(page_path, width)
                            failed.errors.append(f"the check itself failed: {error}")
                            results.append(failed)
            finally:
                browser.close()
    finally:
        server.shutdown()
    if router.dead_hosts:
        hosts = ", ".join(sorted(router.dead_hosts))
        print(f"\nunreachable, answered from {args.cache}: {hosts}")
    return print_report(results, args.strict)


if __name__ == "__main__":
    sys.exit(main())
