"""A moto server on loopback, with a thin layer for the operations moto 5.2.5 lacks.

Test and demo support only: the collectors never know about it. They talk to it as to any
AWS-compatible endpoint (`endpoint_url`), through the same read-only clients as for a real account.

The layer (`FakeOperations`) sits in front of moto's WSGI app. It identifies each request's
service and operation the way AWS does (SigV4 credential scope; X-Amz-Target for JSON
protocols, `Action` for query protocols, method + URI template from botocore's service model for
REST protocols) and answers only the operations registered with it, in the real API's response
shape. Everything else goes to moto untouched. `answered` records what the layer answered, so
tests can prove which operations were faked.

More middlewares shape the endpoint for tests and benchmarks: `Delay` (every request is slow),
`Gate` (after N requests the rest wait until the server stops: a collection that is certainly
mid-run, however busy the machine, for interrupt tests) and `faults.Faults` (a seeded share of
requests throttled or denied, in each protocol's own error shape).
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import botocore.session
from werkzeug.serving import make_server

from ..aws import share_data_loader

# moto builds, for every region an EC2 backend is made for (again after each reset), its catalogs
# of public AMIs, the latest and the ECS-optimized ones: thousands of objects, 40 ms a region.
# Accounts list only their own images (Owners=self) and the demo launches from one public AMI,
# so moto is given that one. Read when moto's EC2 models are imported: set before that.
DEMO_AMIS = Path(__file__).with_name("amis.json")


def use_demo_amis() -> None:
    os.environ.setdefault("MOTO_AMIS_PATH", str(DEMO_AMIS))


_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass
class FakeRequest:
    service: str  # the SigV4 signing name, e.g. "ssm", "backup", "access-analyzer"
    operation: str
    region: str
    method: str
    path: str
    params: dict  # JSON body, query/form parameters, and URI template values merged
    forward: Callable[[], tuple[str, list, bytes]]  # moto's own answer (status, headers, body)
    access_key: str = ""  # the signing key: whose request it is (moto maps it to an account)


@dataclass
class FakeResponse:
    body: dict | str
    status: int = 200
    content_type: str = "application/x-amz-json-1.1"


Handler = Callable[[FakeRequest], "FakeResponse | None"]


# Services that sign with another service's name, so no name match finds them (the OpenSearch
# API signs as "es", the legacy Elasticsearch API's name).
SIGNING_ALIASES = {"es": ("opensearch",)}


class ServiceModels:
    """Maps a request to (signing name, operation) using botocore's service models."""

    def __init__(self):
        self._core = botocore.session.get_session()
        share_data_loader(self._core)  # each test's server would parse the models again
        self._by_signing: dict[str, list] = {}
        self._lock = threading.Lock()

    def models(self, signing_name: str) -> list:
        with self._lock:
            if signing_name not in self._by_signing:
                # Loading all ~400 service models takes seconds: try the services whose name
                # matches the signing name (access-analyzer -> accessanalyzer) first.
                names = self._core.get_available_services()
                key = signing_name.replace("-", "")
                likely = [n for n in names if n.replace("-", "") == key
                          or n in SIGNING_ALIASES.get(signing_name, ())]
                found = self._matching(likely, signing_name) or self._matching(names, signing_name)
                self._by_signing[signing_name] = found
            return self._by_signing[signing_name]

    def _matching(self, names, signing_name: str) -> list:
        models = (self._core.get_service_model(n) for n in names)
        return [m for m in models if m.signing_name == signing_name]

    def identify(self, signing_name: str, method: str, path: str, target: str, form: dict):
        if target:
            return target.split(".")[-1], {}
        if "Action" in form:
            return form["Action"], {}
        best = None
        for model in self.models(signing_name):
            if model.protocol not in ("rest-json", "rest-xml"):
                continue
            for op_name in model.operation_names:
                http = model.operation_model(op_name).http
                if http.get("method") != method:
                    continue
                uri = http.get("requestUri", "/").split("?")[0]
                regex, literal = _uri_regex(uri)
                m = regex.fullmatch(path.rstrip("/") or "/") or regex.fullmatch(path)
                if m and (best is None or literal > best[0]):
                    best = (literal, op_name, m.groupdict())
        return (best[1], best[2]) if best else ("", {})


def _uri_regex(uri: str):
    parts, literal, pos = [], 0, 0
    for m in re.finditer(r"\{(\w+)(\+?)\}", uri):
        text = uri[pos:m.start()]
        parts.append(re.escape(text))
        literal += len(text)
        parts.append(f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)")
        pos = m.end()
    tail = uri[pos:]
    parts.append(re.escape(tail.rstrip("/")) if len(tail) > 1 else re.escape(tail) if tail != "/" else "")
    literal += len(tail)
    pattern = "".join(parts) or "/"
    return re.compile(pattern), literal


class FakeOperations:
    """WSGI middleware: answer registered (service, operation) pairs, forward the rest."""

    def __init__(self, app, handlers: dict[tuple[str, str], Handler] | None = None):
        self.app = app
        self.handlers: dict[tuple[str, str], Handler] = dict(handlers or {})
        self.answered: list[tuple[str, str]] = []
        self._ops = ServiceModels()

    def register(self, service: str, operation: str, handler: Handler) -> None:
        self.handlers[(service, operation)] = handler

    def __call__(self, environ, start_response):
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not scope or not any(s == scope.group(3) for s, _ in self.handlers):
            return self.app(environ, start_response)
        access_key, region, service = scope.group(1), scope.group(2), scope.group(3)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        ctype = environ.get("CONTENT_TYPE", "")
        if "x-www-form-urlencoded" in ctype:
            form.update({k: v[0] for k, v in parse_qs(body.decode()).items()})
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        operation, uri_params = self._ops.identify(service, method, path,
                                                   environ.get("HTTP_X_AMZ_TARGET", ""), form)
        handler = self.handlers.get((service, operation))
        if handler is None:
            return self.app(environ, start_response)
        params = dict(form)
        params.update(uri_params)
        if body and "json" in ctype:
            try:
                params.update(json.loads(body))
            except ValueError:
                pass

        def forward():
            captured = {}

            def capture(status, headers, exc_info=None):
                captured["status"], captured["headers"] = status, headers

            environ["wsgi.input"] = io.BytesIO(body)
            chunks = b"".join(self.app(environ, capture))
            return captured["status"], captured["headers"], chunks

        response = handler(FakeRequest(service, operation, region, method, path, params, forward, access_key))
        if response is None:
            return self.app(environ, start_response)
        self.answered.append((service, operation))
        payload = response.body if isinstance(response.body, str) else json.dumps(response.body, default=str)
        data = payload.encode()
        start_response(f"{response.status} {'OK' if response.status < 400 else 'Error'}", [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(data))),
            ("x-amzn-RequestId", "srm-fake-0000"),
        ])
        return [data]


@dataclass
class AwsTestServer:
    """moto's server app behind FakeOperations, on a free loopback port, in a thread.

    Use as a context manager; `endpoint` is the URL to give boto3 as endpoint_url.
    """

    handlers: dict[tuple[str, str], Handler] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 0
    wrap: Callable | None = None  # extra middleware (e.g. fault injection in tests)

    def start(self) -> "AwsTestServer":
        use_demo_amis()
        from moto.moto_api._internal.models import moto_api_backend
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        # moto keeps its accounts in the process: a new server starts from an empty AWS, not
        # from what an earlier server (or a decorator-mode test) of the process left behind.
        moto_api_backend.reset()

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args, **kwargs):  # one line per request would drown the CLI
                pass

        self.fakes = FakeOperations(DomainDispatcherApplication(create_backend_app), self.handlers)
        app = self.wrap(self.fakes) if self.wrap else self.fakes
        self._server = make_server(self.host, self.port, app, threaded=True,
                                   request_handler=QuietHandler)
        self.port = self._server.server_address[1]
        # shutdown() waits for the loop's next poll: half a second by default, per server stopped
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="srm-aws-test-server")
        self._thread.start()
        return self

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def __enter__(self) -> "AwsTestServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Delay:
    """WSGI middleware that holds every request for `seconds`: a slow endpoint for tests and
    benchmarks (interrupting a collection mid-run)."""

    def __init__(self, app, seconds: float):
        self.app, self.seconds = app, seconds

    def __call__(self, environ, start_response):
        import time

        if self.seconds and not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(self.seconds)
        return self.app(environ, start_response)


class Gate:
    """WSGI middleware: once `arm()`ed, the next `allowed` requests pass and later ones wait until
    `release()` (the server stopping). Once the first request is held, sets `holding`, so a test
    knows the client is mid-run without guessing with a sleep."""

    def __init__(self, app, allowed: int):
        self.app, self.allowed = app, allowed
        self._lock = threading.Lock()
        self._seen = 0
        self._armed = False
        self._announced = False
        self._open = threading.Event()
        self.holding = threading.Event()

    def arm(self) -> None:
        """Start counting (after the demo seeding, whose requests must not count)."""
        self._armed = True

    def release(self) -> None:
        self._open.set()

    def __call__(self, environ, start_response):
        if self._armed and not environ.get("PATH_INFO", "").startswith("/moto-api"):
            with self._lock:
                self._seen += 1
                hold = self._seen > self.allowed
                announce = hold and not self._announced
                self._announced = self._announced or hold
            if announce:
                self.holding.set()
            if hold:
                self._open.wait()
        return self.app(environ, start_response)


def main(argv: list[str] | None = None) -> int:
    """`python -m srm_nb.demo.server`: a moto server in its own process (for IAM enforcement,
    which is process-wide in moto, and for benchmarks that time the collector and
    the server separately). Prints `READY <endpoint>` once listening; stops on SIGTERM/SIGINT or
    when stdin closes."""
    import argparse
    import signal
    import sys

    from ..lazy import defer_rfc3987_syntax

    defer_rfc3987_syntax()  # moto's backends import jsonschema as the first requests reach them
    parser = argparse.ArgumentParser(prog="python -m srm_nb.demo.server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="seed the demo account and its fakes")
    parser.add_argument("--only", metavar="PARTS",
                        help="with --demo: seed only these parts of the story, comma-separated "
                             "module names of srm_nb/demo (tests that need less)")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="with --demo: add N copies of the demo's users, buckets and servers "
                             "(benchmarks; 20 gives about 3,000 findings)")
    parser.add_argument("--delay", type=float, default=0.0, help="hold every request this long")
    parser.add_argument("--throttle", type=float, default=0.0, metavar="P",
                        help="answer this share of requests (0..1) with the protocol's throttling error")
    parser.add_argument("--deny", type=float, default=0.0, metavar="P",
                        help="answer this share of requests (0..1) with the protocol's AccessDenied")
    parser.add_argument("--seed", type=int, default=0, help="which requests --throttle/--deny fail")
    args = parser.parse_args(argv)

    handlers = {}
    if args.demo:
        from . import fake_handlers

        handlers = fake_handlers()
    faults = delay = None

    def wrap(app):
        nonlocal faults, delay
        if args.throttle or args.deny:
            from .faults import Faults

            app = faults = Faults(app)  # no faults yet: the demo seeding must not fail
        if args.delay:
            app = delay = Delay(app, 0.0)  # no delay yet: the seeding is not what is measured
        return app

    server = AwsTestServer(handlers=handlers, port=args.port, wrap=wrap).start()
    if args.demo:
        from . import seed

        seed(server.endpoint, set(args.only.split(",")) if args.only else None)
        if args.scale:
            from .scale import seed_copies

            seed_copies(server.endpoint, args.scale)
    if delay:
        delay.seconds = args.delay
    if faults:
        faults.configure(throttle=args.throttle, deny=args.deny, seed=args.seed)
    print(f"READY {server.endpoint}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
