"""Why an AWS request failed: denied, throttled (after botocore's retries), not subscribed (the
service is off in the region, or the support plan lacks it) or another error. The status goes in
the `calls` table and names the coverage gap the report shows. Codes as AWS services return
them; the HTTP status stands in when botocore could not parse the body."""

from __future__ import annotations

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AccessDeniedForDependencyException",
        "AuthFailure",  # EC2: credentials not valid for this region/account
        "SignatureDoesNotMatch",
        "InvalidSignatureException",
        "ExpiredToken",
        "ExpiredTokenException",
        "403",  # a 403 whose body botocore could not parse (its status code becomes the code)
    }
)
THROTTLED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
        "429",
    }
)
NOT_SUBSCRIBED_CODES = frozenset(
    {
        "SubscriptionRequiredException",
        "OptInRequired",
        "InvalidAccessException",  # Security Hub: the hub is not enabled
        "BadRequestException",  # GuardDuty/Config when the service is off in a region
    }
)


def classify(code: str) -> str:
    """One of "denied", "throttled", "not_subscribed", "error"."""
    if code in DENIED_CODES:
        return "denied"
    if code in THROTTLED_CODES:
        return "throttled"
    if code in NOT_SUBSCRIBED_CODES:
        return "not_subscribed"
    return "error"
