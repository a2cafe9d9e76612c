"""Headless Chromium driven over the Chrome DevTools Protocol (no internet, no Selenium).

`open_page` starts Debian's `chromium` with a fresh profile and every background network
feature off, loads a URL, waits for the report's `#render-status` to say it is done, and
returns what a person would have seen: console errors, uncaught exceptions, every request the
page made, per-chart render facts and a full-page PNG screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

ENSURE_SCRIPT = Path(__file__).with_name("ensure_chromium.sh")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--hide-scrollbars",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")
CHART_FACTS_JS = """
JSON.stringify(Array.from(document.querySelectorAll('.plotly-graph-div')).map(function (gd) {
  var box = gd.getBoundingClientRect();
  return {
    id: gd.id,
    traces: gd.querySelectorAll('g.trace, g.sankey').length,
    marks: gd.querySelectorAll(
      'g.trace .point, g.trace path.js-line, .sankey-link, .sankey-node').length,
    svgs: gd.querySelectorAll('svg.main-svg').length,
    data: (gd.data || []).length,
    width: box.width,
    height: box.height,
    text: gd.textContent
  };
}))
"""


SECTION_FACTS_JS = """
JSON.stringify(Array.from(document.querySelectorAll('main > section')).map(function (s) {
  var box = s.getBoundingClientRect();
  return {
    id: s.id, x: box.left + window.scrollX, y: box.top + window.scrollY,
    width: box.width, height: box.height, text: s.innerText, svgText: s.textContent,
    rendered: s.dataset.rendered || null,
    empty: s.querySelectorAll('.empty-panel').length
  };
}))
"""
# Font family and whether a CJK string is drawn with a CJK font (fontconfig knows one).
FONT_FACTS_JS = """
JSON.stringify({
  family: getComputedStyle(document.body).fontFamily,
  cjk: document.fonts.check('16px "Noto Sans CJK SC"', '江西')
})
"""
STICKY_FACTS_JS = """
JSON.stringify((function () {
  var nav = document.querySelector('nav').getBoundingClientRect();
  var th = document.querySelector('table.sources th');
  th.scrollIntoView();
  window.scrollBy(0, 200);
  var box = th.getBoundingClientRect();
  var status = document.getElementById('render-status');
  return {navBottom: nav.height, thTop: box.top, thBottom: box.bottom,
          statusVisible: status ? status.offsetParent !== null : false,
          bodyText: document.body.innerText.length};
})())
"""


def find_chromium(install: bool = True) -> str | None:
    """Path of a Chromium binary; runs `ensure_chromium.sh` once when none is found."""
    for name in (os.environ.get("REEKG_CHROMIUM", ""), "chromium", "chromium-browser"):
        if name and (path := shutil.which(name)):
            return path
    if install:
        subprocess.run(["bash", str(ENSURE_SCRIPT)], check=False, timeout=900)
        return find_chromium(install=False)
    return None


@dataclass
class PageResult:
    """What loading a page produced."""

    url: str
    status: dict[str, str]
    charts: list[dict[str, Any]]
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    section_shots: dict[str, bytes] = field(default_factory=dict)  # section id -> PNG
    fonts: dict[str, Any] = field(default_factory=dict)  # FONT_FACTS_JS
    sticky: dict[str, Any] = field(default_factory=dict)  # STICKY_FACTS_JS
    body_text: str = ""  # what a reader sees (document.body.innerText)
    sections: list[dict[str, Any]] = field(default_factory=list)  # SECTION_FACTS_JS

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]

    @property
    def errors(self) -> list[str]:
        page = json.loads(self.status.get("errors", "[]"))
        return [*self.console_errors, *self.exceptions, *self.log_errors, *page]


class DevTools:
    """One CDP websocket session: commands with ids, events kept as they arrive."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, timeout: float = 30.0, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event["method"] == method:
                return event
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")


def _devtools_port(profile: Path, process: subprocess.Popen[bytes], timeout: float) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode} before listening")
        if marker.exists() and (lines := marker.read_text().split()):
            return int(lines[0])
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port")


def _page_ws_url(port: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
            targets = json.loads(resp.read())
        pages = [t for t in targets if t.get("type") == "page"]
        if pages:
            return str(pages[0]["webSocketDebuggerUrl"])
        time.sleep(0.05)
    raise TimeoutError("chromium has no page target")


def _collect(result: PageResult, events: list[dict[str, Any]]) -> None:
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            result.console_errors.append(" ".join(args))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            result.exceptions.append(str(text))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            result.log_errors.append(f"{entry.get('source')}: {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            result.requests.append(str(params.get("request", {}).get("url", "")))
        elif method == "Network.loadingFailed":
            result.failed_requests.append(str(params.get("errorText", "")))


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the Chromium this module started, with its renderer and helper processes."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


def open_page(
    url: str,
    chromium: str,
    width: int = 1400,
    height: int = 900,
    timeout: float = 60.0,
    section_shots: bool = False,
) -> PageResult:
    """Load `url` in a fresh headless Chromium and report what happened (see module docstring)."""
    with tempfile.TemporaryDirectory(prefix="reekg-chromium-") as profile_dir:
        profile = Path(profile_dir)
        process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped with all its children
        )
        try:
            port = _devtools_port(profile, process, timeout)
            with connect(_page_ws_url(port, timeout), max_size=None, open_timeout=10) as ws:
                tools = DevTools(ws)
                for domain in ("Runtime", "Log", "Network", "Page"):
                    tools.call(f"{domain}.enable")
                tools.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=width,
                    height=height,
                    deviceScaleFactor=1,
                    mobile=False,
                )
                tools.events.clear()
                tools.call("Page.navigate", url=url)
                tools.wait_for("Page.loadEventFired", timeout)
                deadline = time.monotonic() + timeout
                status: dict[str, str] = {}
                while time.monotonic() < deadline:
                    raw = tools.evaluate(
                        "JSON.stringify((document.getElementById('render-status') || "
                        "{dataset: {done: 'missing'}}).dataset)"
                    )
                    status = json.loads(raw)
                    if status.get("done") in ("true", "missing"):
                        break
                    time.sleep(0.1)
                charts = json.loads(tools.evaluate(CHART_FACTS_JS))
                metrics = tools.call("Page.getLayoutMetrics")
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                shot = tools.call(
                    "Page.captureScreenshot",
                    format="png",
                    captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
                )
                result = PageResult(url=url, status=status, charts=charts)
                result.screenshot = base64.b64decode(shot["data"])
                result.sections = json.loads(tools.evaluate(SECTION_FACTS_JS))
                for box in result.sections if section_shots else []:
                    clip = {k: box[k] for k in ("x", "y", "width", "height")}
                    part = tools.call(
                        "Page.captureScreenshot",
                        format="png",
                        captureBeyondViewport=True,
                        clip={**clip, "scale": 1},
                    )
                    result.section_shots[box["id"]] = base64.b64decode(part["data"])
                if section_shots:
                    result.fonts = json.loads(tools.evaluate(FONT_FACTS_JS))
                    result.sticky = json.loads(tools.evaluate(STICKY_FACTS_JS))
                    result.body_text = str(tools.evaluate("document.body.innerText"))
                _collect(result, tools.events)
                return result
        finally:
            _stop(process)
