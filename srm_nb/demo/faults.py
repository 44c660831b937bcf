"""Fault injection for the demo server: a seeded share of requests answered with the calling
protocol's own throttling or AccessDenied error, as AWS would send it.

Test and benchmark support only (`python -m srm_nb.demo.server --throttle P --deny P --seed S`,
or `Faults` as an `AwsTestServer` wrap). botocore parses these answers with the service's own
error parser, so a collector sees exactly what it would see from AWS: `Throttling` (query),
`RequestLimitExceeded` (EC2), `ThrottlingException` (JSON; query-compatible services such as
CloudWatch also get their query-era code in `x-amzn-query-error`), `TooManyRequestsException`
(REST-JSON, HTTP 429), `SlowDown` (S3, HTTP 503), and each protocol's AccessDenied shape.
Requests in a protocol not listed here (Smithy RPCv2 CBOR, which botocore does not pick for
any service we read) pass unfaulted.

Which requests fail is decided by hashing the seed, the request (method, path, query, body) and
how many times that same request was seen: a retry gets a fresh draw, as a throttled retry does
against AWS, and two runs with one seed fail the same requests whatever the threads' order.
Shares can be set per access key id, so runs with different faults can share one server at the
same time. moto's control paths (`/moto-api`) are never faulted.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from .server import ServiceModels

_SCOPE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class _Error:
    status: int
    code: str
    message: str


# protocol -> (throttling error, access denied error), as each protocol's services answer them.
ERRORS = {
    "query": (_Error(400, "Throttling", "Rate exceeded"),
              _Error(403, "AccessDenied", "User is not authorized to perform this action")),
    "ec2": (_Error(503, "RequestLimitExceeded", "Request limit exceeded."),
            _Error(403, "UnauthorizedOperation", "You are not authorized to perform this operation.")),
    "json": (_Error(400, "ThrottlingException", "Rate exceeded"),
             _Error(400, "AccessDeniedException", "User is not authorized to perform this action")),
    "rest-json": (_Error(429, "TooManyRequestsException", "Too Many Requests"),
                  _Error(403, "AccessDeniedException", "User is not authorized to perform this action")),
    "rest-xml": (_Error(503, "SlowDown", "Please reduce your request rate."),
                 _Error(403, "AccessDenied", "Access Denied")),
}


@dataclass
class _Profile:
    throttle: float
    deny: float
    seed: int
    streak: int | None  # at most this many faults in a row for one request
    seen: Counter = field(default_factory=Counter)  # request -> times seen
    in_a_row: Counter = field(default_factory=Counter)  # request -> faults since its last answer
    injected: Counter = field(default_factory=Counter)  # (signing name, "throttle"/"deny") -> n


class Faults:
    """WSGI middleware: fail `throttle` and `deny` shares of requests (0..1), seeded."""

    def __init__(self, app, throttle: float = 0.0, deny: float = 0.0, seed: int = 0):
        self.app = app
        self._lock = threading.Lock()
        self._models = ServiceModels()
        self._profiles: dict[str | None, _Profile] = {}
        self.configure(throttle=throttle, deny=deny, seed=seed)

    def configure(self, *, throttle: float = 0.0, deny: float = 0.0, seed: int = 0,
                  access_key: str | None = None, streak: int | None = None) -> None:
        """New shares and seed for requests signed with `access_key` (None: every other key);
        its counts start again, so two runs with one seed fail alike. `streak` bounds the faults
        one request gets in a row: with retries above it, "the retries absorb the throttling"
        holds for every draw (moto's random resource ids change the draws from run to run)."""
        if not (0 <= throttle <= 1 and 0 <= deny <= 1 and throttle + deny <= 1):
            raise ValueError("throttle and deny are shares between 0 and 1, together at most 1")
        with self._lock:
            self._profiles[access_key] = _Profile(throttle, deny, seed, streak)

    def injected(self, access_key: str | None = None) -> int:
        """How many faults the requests of `access_key` got since it was configured."""
        with self._lock:
            return sum(self._profiles[access_key].injected.values())

    def _protocol(self, signing_name: str, environ) -> tuple[str | None, bool]:
        """The protocol this request speaks (botocore picks one of a model's `protocols`: read
        it off the request), and whether the service is query-compatible (CloudWatch on JSON
        carries its query-era error code in a header)."""
        models = self._models.models(signing_name)
        if not models:
            return None, False
        ctype = environ.get("CONTENT_TYPE", "")
        compatible = any("awsQueryCompatible" in m.metadata for m in models)
        if environ.get("HTTP_X_AMZ_TARGET") and "x-amz-json" in ctype:
            return "json", compatible
        if "x-www-form-urlencoded" in ctype:
            return ("ec2" if signing_name == "ec2" else "query"), False
        return models[0].protocol, False

    def __call__(self, environ, start_response):
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        path = environ.get("PATH_INFO", "/")
        if not scope or path.startswith("/moto-api"):
            return self.app(environ, start_response)
        access_key, signing_name = scope.group(1), scope.group(3)
        with self._lock:
            profile = self._profiles.get(access_key) or self._profiles[None]
        if not (profile.throttle or profile.deny):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        key = b"\0".join([environ["REQUEST_METHOD"].encode(), path.encode(),
                          environ.get("QUERY_STRING", "").encode(), body])
        with self._lock:
            profile.seen[key] += 1
            draw = hashlib.sha256(b"%d\0%d\0" % (profile.seed, profile.seen[key]) + key).digest()
        share = int.from_bytes(draw[:8], "big") / 2**64
        kind = ("throttle" if share < profile.throttle
                else "deny" if share < profile.throttle + profile.deny else "")
        protocol, compatible = self._protocol(signing_name, environ) if kind else (None, False)
        with self._lock:
            fault = protocol in ERRORS and (profile.streak is None
                                            or profile.in_a_row[key] < profile.streak)
            profile.in_a_row[key] = profile.in_a_row[key] + 1 if fault else 0
            if fault:
                profile.injected[(signing_name, kind)] += 1
        if not fault:
            return self.app(environ, start_response)
        error = ERRORS[protocol][0 if kind == "throttle" else 1]
        headers, data = _render(protocol, error)
        if compatible:
            headers.append(("x-amzn-query-error", f"{error.code};Sender"))
        start_response(f"{error.status} {'Forbidden' if error.status == 403 else 'Error'}",
                       [*headers, ("Content-Length", str(len(data))),
                        ("x-amzn-RequestId", "srm-fault-0000")])
        return [data]


def _render(protocol: str, e: _Error) -> tuple[list[tuple[str, str]], bytes]:
    if protocol == "query":
        return [("Content-Type", "text/xml")], (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{e.code}</Code><Message>{e.message}"
            f"</Message></Error><RequestId>srm-fault-0000</RequestId></ErrorResponse>").encode()
    if protocol == "ec2":
        return [("Content-Type", "text/xml")], (
            f"<Response><Errors><Error><Code>{e.code}</Code><Message>{e.message}</Message></Error>"
            f"</Errors><RequestID>srm-fault-0000</RequestID></Response>").encode()
    if protocol == "rest-xml":
        return [("Content-Type", "application/xml")], (
            f"<Error><Code>{e.code}</Code><Message>{e.message}</Message>"
            f"<RequestId>srm-fault-0000</RequestId></Error>").encode()
    if protocol == "rest-json":
        return ([("Content-Type", "application/json"), ("x-amzn-ErrorType", e.code)],
                json.dumps({"message": e.message}).encode())
    return ([("Content-Type", "application/x-amz-json-1.1")],
            json.dumps({"__type": e.code, "message": e.message}).encode())

