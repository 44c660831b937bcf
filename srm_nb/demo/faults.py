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
moto's control paths (`/moto-api`) are never faulted.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass

from .server import ServiceModels

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


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


class Faults:
    """WSGI middleware: fail `throttle` and `deny` shares of requests (0..1), seeded."""

    def __init__(self, app, throttle: float = 0.0, deny: float = 0.0, seed: int = 0):
        self.app = app
        self._lock = threading.Lock()
        self._models = ServiceModels()
        self.configure(throttle=throttle, deny=deny, seed=seed)

    def configure(self, *, throttle: float = 0.0, deny: float = 0.0, seed: int = 0) -> None:
        """New shares and seed; counts start again (two runs with one seed fail alike)."""
        if not (0 <= throttle <= 1 and 0 <= deny <= 1 and throttle + deny <= 1):
            raise ValueError("throttle and deny are shares between 0 and 1, together at most 1")
        with self._lock:
            self.throttle, self.deny, self.seed = throttle, deny, seed
            self._seen: Counter = Counter()
            self.injected: Counter = Counter()  # (signing name, "throttle"/"deny") -> count

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
        if not scope or path.startswith("/moto-api") or not (self.throttle or self.deny):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        key = b"\0".join([environ["REQUEST_METHOD"].encode(), path.encode(),
                          environ.get("QUERY_STRING", "").encode(), body])
        with self._lock:
            self._seen[key] += 1
            draw = hashlib.sha256(b"%d\0%d\0" % (self.seed, self._seen[key]) + key).digest()
        share = int.from_bytes(draw[:8], "big") / 2**64
        kind = "throttle" if share < self.throttle else "deny" if share < self.throttle + self.deny else ""
        protocol, compatible = self._protocol(scope.group(2), environ) if kind else (None, False)
        if protocol not in ERRORS:
            return self.app(environ, start_response)
        with self._lock:
            self.injected[(scope.group(2), kind)] += 1
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

