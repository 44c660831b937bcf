"""A small Chrome DevTools Protocol client for the report's browser tests.

It starts Debian's headless Chromium with a throwaway profile and a debugging port, opens a page,
and records what a reader's browser would: uncaught JavaScript exceptions, console errors and
every network request. Only websocket-client is needed (no driver, no browser download).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from srm_nb.render import browser_command, find_browser


class BrowserError(RuntimeError):
    pass


class Page:
    def __init__(self, ws):
        self.ws = ws
        self._id = 0
        self.exceptions: list[str] = []
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self._loaded = False

    def _handle(self, msg: dict) -> None:
        method = msg.get("method")
        params = msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails", {})
            self.exceptions.append(str(d.get("exception", {}).get("description") or d.get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.console_errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                                for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.console_errors.append(str(params["entry"].get("text")))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))
        elif method == "Page.loadEventFired":
            self._loaded = True
        elif method == "Page.javascriptDialogOpening":  # alert(): record it, and close it so the
            self.dialogs.append(params.get("message", ""))  # page does not hang the test
            self._id += 1
            self.ws.send(json.dumps({"id": self._id, "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": False}}))

    def send(self, method: str, timeout: float = 60, **params):
        self._id += 1
        my_id = self._id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._handle(msg)
        raise BrowserError(f"{method}: no answer in {timeout} s")

    def pump(self, seconds: float) -> None:
        """Process events for a while (async errors surface after load)."""
        self.ws.settimeout(0.2)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._handle(json.loads(self.ws.recv()))
            except Exception as exc:  # websocket timeout: nothing pending
                if "timed out" not in str(exc).lower() and type(exc).__name__ != "WebSocketTimeoutException":
                    raise
        self.ws.settimeout(60)

    def open(self, url: str, timeout: float = 60) -> None:
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable")
        self._loaded = False
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        self.ws.settimeout(timeout)
        while not self._loaded and time.monotonic() < deadline:
            self._handle(json.loads(self.ws.recv()))
        if not self._loaded:
            raise BrowserError(f"{url} did not finish loading in {timeout} s")
        self.pump(1.0)

    def eval(self, expression: str):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise BrowserError(f"evaluating {expression!r}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def screenshot(self, path: Path, clip: dict | None = None) -> Path:
        import base64

        params = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        data = self.send("Page.captureScreenshot", **params)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)


class Chromium:
    """`with Chromium() as browser: page = browser.page(); page.open(url)`."""

    def __init__(self, binary: str | None = None):
        self.binary = binary or find_browser()
        if self.binary is None:
            raise BrowserError("no Chromium on PATH")
        self.proc = None
        self.profile = None

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="srm-cdp-")
        cmd = browser_command(self.binary, self.profile, "--remote-debugging-port=0",
                              "--remote-debugging-address=127.0.0.1", "--window-size=1280,900",
                              "about:blank")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None:
                raise BrowserError(f"Chromium exited with {self.proc.returncode} before listening")
            time.sleep(0.05)
        if not port_file.exists():
            raise BrowserError("Chromium did not open its debugging port in 30 s")
        self.port = int(port_file.read_text().split()[0])
        return self

    def page(self) -> Page:
        import websocket

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as r:
            targets = [t for t in json.load(r) if t.get("type") == "page"]
        ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=60,
                                         suppress_origin=True)
        return Page(ws)

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
