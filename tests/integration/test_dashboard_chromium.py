"""The dashboard renders in real headless Chromium, offline, with no console errors and visible charts.

Needs Debian's chromium package (`apt-get install -y chromium`); skipped with that reason when it is missing.
"""

from __future__ import annotations

import random
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from fleetdeck.services.dashboard.render import write_dashboard
from fleetdeck.services.store import Store
from tests.fakes.spend_rows import add_calls

CHROMIUM = Path("/usr/bin/chromium")
NOW = 1_767_268_800 + 20 * 86400

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (apt-get install -y chromium)"),
    pytest.mark.timeout(60),
]


def chromium(tmp_path: Path, page: Path, *extra: str, size: str = "1280,1600") -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=3000", f"--window-size={size}", *extra, page.as_uri()],
        capture_output=True, text=True, timeout=45, cwd=tmp_path, check=False)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of raw pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def colourful_pixels(path: Path) -> tuple[int, tuple[int, int, int]]:
    """Count saturated pixels (chart bars and lines; text and background are grey) and the top-left colour."""
    width, bpp, rows = read_png(path)
    count = 0
    for row in rows[::4]:
        for x in range(0, width * bpp, bpp * 4):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if max(r, g, b) - min(r, g, b) > 60:
                count += 1
    return count, (rows[2][0], rows[2][1], rows[2][2])


@pytest.fixture
def dashboard(store: Store, tmp_path: Path) -> Path:
    rng = random.Random(3)
    models, workflows = ["claude-opus-4-1", "claude-sonnet-4-5", "gpt-4o"], ["review", "tasks", "docs"]
    rows = []
    for i in range(3000):
        at = NOW - int(rng.random() * 30 * 86400)
        cost = rng.randint(10_000, 400_000)
        rows.append((at, rng.choice(models), rng.choice(workflows), f"s{rng.randint(1, 20)}",
                     f"/src/p{rng.randint(1, 5)}", rng.randint(100, 4000), rng.randint(10, 900),
                     rng.randint(0, 9000), rng.randint(0, 500), cost, cost * 3, 500, "ok", "log"))
    for i in range(4):  # a model with no known price: never drawn as $0
        rows.append((NOW - 3600 * (i + 1), "mystery-model", "review", "s1", "/src/p1", 10, 5, 0, 0, None, None, 500,
                     "ok", "log"))
    add_calls(store, rows)
    out = tmp_path / "costs.html"
    write_dashboard(store, out, days=30, now=NOW, tz="UTC")
    return out


def test_dashboard_renders_every_chart_without_console_errors(dashboard: Path, tmp_path: Path) -> None:
    result = chromium(tmp_path, dashboard, "--dump-dom")
    assert console_lines(result.stderr) == []
    dom = result.stdout
    assert 'data-rendered="6"' in dom, "not every chart was drawn"
    assert "<body data-errors" not in dom and " data-errors=" not in dom
    assert dom.count("<rect") > 100 and "<polyline" in dom
    cells = re.sub(r' class="[^"]*"', "", dom)
    assert "<td>mystery-model</td><td>4</td><td>60</td><td>unknown</td>" in cells
    assert " + 4 unpriced</td>" in cells, "the workflow with unpriced calls says so beside its cost"


def test_screenshot_shows_charts_in_light_and_dark(dashboard: Path, tmp_path: Path) -> None:
    light = chromium(tmp_path, dashboard, f"--screenshot={tmp_path / 'light.png'}", size="760,900")
    dark = chromium(tmp_path, dashboard, "--force-dark-mode", "--blink-settings=preferredColorScheme=0",
                    f"--screenshot={tmp_path / 'dark.png'}", size="760,900")
    assert console_lines(light.stderr + dark.stderr) == []
    light_count, light_bg = colourful_pixels(tmp_path / "light.png")
    dark_count, dark_bg = colourful_pixels(tmp_path / "dark.png")
    assert light_count > 800 and dark_count > 800, "charts look blank"
    assert sum(light_bg) > 600 and sum(dark_bg) < 150, (light_bg, dark_bg)


def test_a_loss_against_the_baseline_reads_with_its_sign_first(store: Store, tmp_path: Path) -> None:
    add_calls(store, [(NOW - 3600, "claude-opus-4-1", "review", "s1", "/src/p1", 100, 10, 0, 0, 900_000, 300_000,
                       500, "ok", "log")])  # dearer than the baseline would have been
    out = tmp_path / "loss.html"
    write_dashboard(store, out, days=30, now=NOW, tz="UTC")
    result = chromium(tmp_path, out, "--dump-dom")
    assert console_lines(result.stderr) == []
    assert "-$0.60" in result.stdout and "$-" not in result.stdout
