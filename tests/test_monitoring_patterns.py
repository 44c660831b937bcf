"""The monitoring checks' sample events against real-world pattern variants of each CIS control,
and near misses. The pattern grammar itself is tested in test_filter_patterns.py."""

from __future__ import annotations

import pytest
import yaml

from srm_nb.checks import monitoring
from srm_nb.checks.monitoring import MONITORS

YAML = yaml.safe_load(open(monitoring.__file__.replace(".py", ".yaml")))


def pattern_covers(pattern: str, key: str) -> bool:
    return MONITORS[key].covered_by(pattern)


def _remediation_pattern(key: str) -> str:
    cli = YAML[f"cloudwatch_alarm_{key}"]["remediation"]["cli"]
    return cli.split("--filter-pattern '")[1].split("' &&")[0]


@pytest.mark.parametrize("key", sorted(MONITORS))
def test_the_pattern_we_recommend_covers_its_control(key):
    assert pattern_covers(_remediation_pattern(key), key)


@pytest.mark.parametrize("key", sorted(MONITORS))
def test_a_recommended_pattern_covers_no_other_control(key):
    # Each control's pattern is specific: it does not satisfy an unrelated control by accident.
    others = [k for k in MONITORS if k != key and pattern_covers(_remediation_pattern(key), k)]
    assert others == []


COVERED = {
    "unauthorized_api_calls": [
        # CIS v1.4+ text: unparenthesized mix of || and &&
        '{($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && '
        '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket")}',
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
        "{($.errorCode=*UnauthorizedOperation)||($.errorCode=AccessDenied*)}",
        '{ $.errorCode IN ["Client.UnauthorizedOperation", "AccessDenied", "AccessDeniedException"] }',
        '{ $.errorCode = %(UnauthorizedOperation|AccessDenied)% }',
    ],
    "console_signin_without_mfa": [
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        "{$.eventName=ConsoleLogin&&$.additionalEventData.MFAUsed!=Yes}",
        '{\n  ($.eventName = "ConsoleLogin")\n  && ($.additionalEventData.MFAUsed = "No")\n}',
    ],
    "root_account_usage": [
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
        '{$.userIdentity.type="Root"}',
        "{ ($.userIdentity.type = Root) && ($.userIdentity.invokedBy NOT EXISTS) }",
    ],
    "cmk_disable_or_deletion": [
        "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}",
        '{ $.eventSource = "kms.amazonaws.com" && ($.eventName = "DisableKey" || $.eventName = "ScheduleKeyDeletion") }',
        '{ $.eventName = "DisableKey" || $.eventName = "ScheduleKeyDeletion" }',
    ],
    "console_auth_failures": [
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        '{ ($.eventName = "ConsoleLogin") && ($.responseElements.ConsoleLogin = "Failure") }',
    ],
    "config_changes": [
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || "
        "($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || "
        "($.eventName = PutConfigurationRecorder)) }",
        '{ $.eventSource = "config.amazonaws.com" && $.eventName IN ["StopConfigurationRecorder", '
        '"DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"] }',
    ],
    "cloudtrail_config_changes": [
        "{ $.eventSource = cloudtrail.amazonaws.com && $.eventName != Describe* && $.eventName != Get* "
        "&& $.eventName != List* && $.eventName != LookupEvents }",
    ],
}

NOT_COVERED = {
    "unauthorized_api_calls": [
        '{ $.errorCode = "AccessDenied" }',  # misses UnauthorizedOperation and AccessDeniedException
        '{ $.errorCode = "*UnauthorizedOperation" }',
        "",  # every event: an alarm on all activity is not this control
    ],
    "console_signin_without_mfa": [
        '{ $.eventName = "ConsoleLogin" }',  # every sign-in, MFA or not
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed = "Yes") }',
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "Root") }',
    ],
    "root_account_usage": [
        '{ $.userIdentity.type = "IAMUser" }',
        '{ $.userIdentity.type = "Root" && $.eventType = "AwsConsoleSignIn" }',  # API use missed
        "{ $.userIdentity.type = Root && $.userIdentity.invokedBy EXISTS }",
    ],
    "cmk_disable_or_deletion": [
        "{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }",  # deletion missed
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) "
        "&& ($.userIdentity.type = Root) }",  # only when root does it
    ],
    "iam_policy_changes": [
        "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=PutRolePolicy)}",
        "{ $.eventSource = iam.amazonaws.com",  # broken syntax never counts as covering
    ],
    "console_auth_failures": [
        '{ $.eventName = ConsoleLogin }',
        '{ $.errorMessage = "Failed authentication" && $.eventName = "AssumeRole" }',
    ],
}


@pytest.mark.parametrize("key,pattern", [(k, p) for k, ps in COVERED.items() for p in ps])
def test_variant_covers(key, pattern):
    assert pattern_covers(pattern, key), pattern


@pytest.mark.parametrize("key,pattern", [(k, p) for k, ps in NOT_COVERED.items() for p in ps])
def test_near_miss_does_not_cover(key, pattern):
    assert not pattern_covers(pattern, key), pattern


def test_plain_term_patterns():
    assert pattern_covers('"ConsoleLogin" "Failed authentication"', "console_auth_failures")
    assert not pattern_covers("ConsoleLogin", "console_auth_failures")  # successful sign-ins too
    assert pattern_covers("?DisableKey ?ScheduleKeyDeletion", "cmk_disable_or_deletion")
