"""Screenshots of the sample reports for the README: docs/images/{index,portfolio,account}.png.

Renders the shipped sample (``data/sample``) into ``reports/sample/`` as ``make demo``
does, unless a complete run there is newer than the data, the kit and the notebooks;
then opens each page in headless Debian chromium (``/usr/bin/chromium`` or
``$KIT_CHROMIUM``; never a browser Playwright downloads) and keeps the top of it
(1200 px wide, at most 1600 px high, device scale 1) so the PNGs stay small.

    .venv/bin/python tools/screenshots.py            # or: make screenshots
    .venv/bin/python tools/screenshots.py --rerun    # render the sample again first
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path("data/sample")  # relative to REPO, as `make demo` passes it (the manifest records it)
OUT = Path("reports/sample")
IMAGES = Path("docs/images")
CHROMIUM = os.environ.get("KIT_CHROMIUM") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTH, MAX_HEIGHT = 1200, 1600
MAX_BYTES = 400_000


def _newest(paths) -> float:
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def _reusable(out: Path) -> tuple[bool, str]:
    """A complete, all-ok internal run of data/sample newer than everything it came from."""
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return False, f"no {manifest}"
    m = json.loads(manifest.read_text(encoding="utf-8"))
    if Path(m.get("data", "")) != DATA or m.get("audience") != "internal":
        return False, f"{out} is not an internal-audience run of {DATA}"
    accounts = m.get("accounts") or {}
    if (m.get("portfolio") or {}).get("status") != "ok" or not accounts or any(a["status"] != "ok" for a in accounts.values()):
        return False, f"{out} holds failed or missing reports"
    if not all((out / p).is_file() for p in ["index.html", "portfolio.html", *(a["report"] for a in accounts.values())]):
        return False, f"{out} is incomplete"
    sources = [*DATA.rglob("*"), *Path("kit").rglob("*.py"), *Path("kit/resources").rglob("*"),
               *Path("notebooks").glob("*.ipynb")]
    if manifest.stat().st_mtime <= _newest(sources):
        return False, f"{out} is older than the data, the kit or the notebooks"
    return True, f"reusing {out} (newer than its data, the kit and the notebooks)"


def _render(workers: int) -> None:
    from kit.run.batch import run

    print(f"Rendering {DATA} into {OUT} ...", flush=True)
    res = run(DATA, out=OUT, workers=workers, progress=True)
    if res.exit_code != 0:
        sys.exit(f"screenshots: the sample run failed for {res.failed or 'the portfolio'}; see {OUT / 'manifest.json'}")


def _shrink(png: bytes) -> bytes:
    """The PNG re-encoded with at most 256 colours when it is over MAX_BYTES (text and
    flat charts survive that well)."""
    if len(png) <= MAX_BYTES:
        return png
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue() if len(buf.getvalue()) < len(png) else png


def _shoot(pages: dict[str, Path], images: Path) -> list[tuple[Path, int, int]]:
    from playwright.sync_api import sync_playwright

    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        sys.exit(f"screenshots: no chromium at {CHROMIUM} (`make browser` installs Debian's chromium; or set KIT_CHROMIUM)")
    images.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            for name, path in pages.items():
                context = browser.new_context(viewport={"width": WIDTH, "height": MAX_HEIGHT}, device_scale_factor=1)
                page = context.new_page()
                outside = []
                page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
                page.goto(path.resolve().as_uri(), wait_until="load")
                height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
                png = _shrink(page.screenshot(clip={"x": 0, "y": 0, "width": WIDTH, "height": height}))
                context.close()
                if outside:
                    sys.exit(f"screenshots: {path} requested {outside[:3]}: reports must be self-contained")
                target = images / f"{name}.png"
                target.write_bytes(png)
                written.append((target, height, len(png)))
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rerun", action="store_true", help=f"render {DATA} again even if {OUT} is up to date")
    ap.add_argument("--workers", type=int, default=2, help="parallel report renders (default 2)")
    args = ap.parse_args(argv)
    os.chdir(REPO)
    ok, why = (False, "--rerun") if args.rerun else _reusable(OUT)
    print(why if ok else f"Rendering needed: {why}", flush=True)
    if not ok:
        _render(args.workers)
    manifest = json.loads((OUT / "manifest.json").read_text(encoding="utf-8"))
    first = next(iter(manifest["accounts"].values()))  # the first account of accounts.csv
    pages = {"index": OUT / "index.html", "portfolio": OUT / "portfolio.html", "account": OUT / first["report"]}
    for target, height, size in _shoot(pages, IMAGES):
        print(f"wrote {target} ({WIDTH}x{height}, {size / 1000:.0f} KB)")
    return 0


if __name__ == "__main__":  # guard: kit run starts spawn workers that import this module
    sys.exit(main())
