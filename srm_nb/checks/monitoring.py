"""CloudWatch monitoring of CloudTrail events: metric filter -> alarm -> SNS topic -> a person.

Each check follows the chain the CIS monitoring controls describe: a multi-region trail that is
logging all management events delivers to a CloudWatch Logs group; a metric filter on that group
selects the events of interest; an alarm watches the filter's metric; the alarm notifies an SNS
topic with at least one confirmed subscriber. A check passes when one complete chain exists.

Whether a filter "selects the events of interest" is decided by evaluating it, not by comparing
its text: the pattern is parsed and run (`filter_patterns`) against sample CloudTrail events
(MONITORS below). It must match every `match` sample and none of the `reject` samples, nor a
routine read call. So whitespace, quoting, ordering, grouping and extra noise-reducing terms do
not matter, while a filter that misses one required event name, or that matches every console
login when only the ones without MFA were asked for, does not pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, flag, parse_json
from .filter_patterns import pattern_covers
from .trails import trails_with_selectors, unknown_trails

# -- sample CloudTrail events ------------------------------------------------------------------


def _event(source: str, name: str, **fields) -> dict:
    """A CloudTrail record as {JSON path: value}; the defaults are a successful IAM-user call."""
    event = {
        "eventVersion": "1.09",
        "eventSource": source,
        "eventName": name,
        "eventType": "AwsApiCall",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "aws-cli/2.15.0",
        "readOnly": False,
        "recipientAccountId": "111122223333",
        "userIdentity.type": "IAMUser",
        "userIdentity.arn": "arn:aws:iam::111122223333:user/alice",
        "userIdentity.accountId": "111122223333",
        "userIdentity.userName": "alice",
    }
    event.update({k.replace("__", "."): v for k, v in fields.items()})
    return event


def _calls(source: str, *names: str) -> tuple[dict, ...]:
    return tuple(_event(source, n) for n in names)


# A routine successful read call: a filter that matches it alarms on everything.
ROUTINE = _event("ec2.amazonaws.com", "DescribeInstances", readOnly=True)


@dataclass(frozen=True)
class Monitor:
    what: str  # "unauthorized API calls", for details
    match: tuple[dict, ...]  # events the filter must count
    reject: tuple[dict, ...] = ()  # events it must not count (besides ROUTINE)

    def covered_by(self, pattern: str) -> bool:
        """True when a metric filter with this pattern counts exactly the events asked for."""
        return pattern_covers(pattern, self.match, reject=(ROUTINE, *self.reject))


_CONSOLE = dict(eventType="AwsConsoleSignIn", readOnly=False)

MONITORS: dict[str, Monitor] = {
    "unauthorized_api_calls": Monitor("unauthorized API calls", (
        _event("ec2.amazonaws.com", "RunInstances", errorCode="Client.UnauthorizedOperation",
               errorMessage="You are not authorized to perform this operation."),
        _event("iam.amazonaws.com", "ListUsers", errorCode="AccessDenied", readOnly=True),
        _event("kms.amazonaws.com", "Decrypt", errorCode="AccessDeniedException"),
    )),
    "console_signin_without_mfa": Monitor("console sign-in without MFA", (
        _event("signin.amazonaws.com", "ConsoleLogin", responseElements__ConsoleLogin="Success",
               additionalEventData__MFAUsed="No", **_CONSOLE),
    ), reject=(
        _event("signin.amazonaws.com", "ConsoleLogin", responseElements__ConsoleLogin="Success",
               additionalEventData__MFAUsed="Yes", **_CONSOLE),
    )),
    "root_account_usage": Monitor("use of the root user", (
        _event("iam.amazonaws.com", "CreateAccessKey", userIdentity__type="Root",
               userIdentity__arn="arn:aws:iam::111122223333:root", userIdentity__userName=None),
        _event("signin.amazonaws.com", "ConsoleLogin", userIdentity__type="Root",
               userIdentity__arn="arn:aws:iam::111122223333:root", userIdentity__userName=None,
               responseElements__ConsoleLogin="Success", additionalEventData__MFAUsed="Yes",
               **_CONSOLE),
    )),
    "iam_policy_changes": Monitor("IAM policy changes", _calls(
        "iam.amazonaws.com", "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
        "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
        "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
        "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")),
    "cloudtrail_config_changes": Monitor("CloudTrail configuration changes", _calls(
        "cloudtrail.amazonaws.com", "CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging",
        "StopLogging")),
    "console_auth_failures": Monitor("console authentication failures", (
        _event("signin.amazonaws.com", "ConsoleLogin", responseElements__ConsoleLogin="Failure",
               errorMessage="Failed authentication", additionalEventData__MFAUsed="No", **_CONSOLE),
    ), reject=(
        _event("signin.amazonaws.com", "ConsoleLogin", responseElements__ConsoleLogin="Success",
               additionalEventData__MFAUsed="Yes", **_CONSOLE),
    )),
    "cmk_disable_or_deletion": Monitor("disabling or scheduled deletion of KMS keys", _calls(
        "kms.amazonaws.com", "DisableKey", "ScheduleKeyDeletion")),
    "s3_bucket_policy_changes": Monitor("S3 bucket policy changes", _calls(
        "s3.amazonaws.com", "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
        "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
        "DeleteBucketReplication")),
    "config_changes": Monitor("AWS Config configuration changes", _calls(
        "config.amazonaws.com", "StopConfigurationRecorder", "DeleteDeliveryChannel",
        "PutDeliveryChannel", "PutConfigurationRecorder")),
    "security_group_changes": Monitor("security group changes", _calls(
        "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
        "DeleteSecurityGroup")),
    "nacl_changes": Monitor("network ACL changes", _calls(
        "ec2.amazonaws.com", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
        "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")),
    "network_gateway_changes": Monitor("network gateway changes", _calls(
        "ec2.amazonaws.com", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
        "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")),
    "route_table_changes": Monitor("route table changes", _calls(
        "ec2.amazonaws.com", "CreateRoute", "CreateRouteTable", "ReplaceRoute",
        "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable")),
    "vpc_changes": Monitor("VPC changes", _calls(
        "ec2.amazonaws.com", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute",
        "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
        "DisableVpcClassicLink", "EnableVpcClassicLink")),
    "organizations_changes": Monitor("AWS Organizations changes", _calls(
        "organizations.amazonaws.com", "AcceptHandshake", "AttachPolicy", "CreateAccount",
        "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
        "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType",
        "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
        "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")),
}


# -- the chain ----------------------------------------------------------------------------------

_LOG_GROUP_ARN = re.compile(r"^arn:[^:]+:logs:(?P<region>[^:]+):(?P<account>\d*):log-group:(?P<name>[^:]+)")


def _alarm_metrics(alarms: pd.DataFrame) -> pd.DataFrame:
    """(region, alarm_name, namespace, metric_name) for every metric an alarm watches, including
    the metrics inside metric-math alarms."""
    direct = alarms[["region", "alarm_name", "namespace", "metric_name"]]
    inner = alarms[["region", "alarm_name"]].assign(m=parse_json(alarms["metrics_json"])).explode("m")
    inner = inner[inner["m"].map(lambda m: isinstance(m, dict) and "MetricStat" in m)]
    inner = inner.assign(
        namespace=inner["m"].map(lambda m: m["MetricStat"].get("Metric", {}).get("Namespace")),
        metric_name=inner["m"].map(lambda m: m["MetricStat"].get("Metric", {}).get("MetricName")),
    ).drop(columns="m")
    return pd.concat([direct, inner], ignore_index=True).dropna(subset=["metric_name"])


def monitored(s, key: str) -> pd.DataFrame:
    """One account finding: PASS when a complete trail -> filter -> alarm -> subscriber chain exists
    for MONITORS[key], otherwise FAIL naming the first missing link."""
    monitor = MONITORS[key]
    trails = trails_with_selectors(s)
    audit = trails[trails["active_everywhere"] & trails["management_rw"]]
    filters = s.table("logs_metric_filters")
    alarms = s.table("cloudwatch_metric_alarms")
    subs = s.table("sns_subscriptions")

    groups = audit["cloudwatch_logs_log_group_arn"].dropna().astype(str).str.extract(_LOG_GROUP_ARN)
    groups["trail"] = audit.loc[groups.index, "name"]
    groups = groups.dropna(subset=["name"])
    if groups.empty:
        unknown = unknown_trails(s, trails, "all management events (the start of the chain)")
        if unknown is not None:
            return unknown
        why = ("no multi-region trail that is logging all management events" if audit.empty or trails.empty
               else "no multi-region trail logging all management events delivers to CloudWatch Logs")
        narrowed = trails[trails["active_everywhere"] & ~trails["management_rw"]]
        if audit.empty and not narrowed.empty:  # e.g. a trail that leaves KMS events out
            why += f" (trail {narrowed['name'].iloc[0]}: {narrowed['management_gap'].iloc[0]})"
        return account_finding(s, FAIL, f"Nothing can alarm on {monitor.what}: {why}.")
    # Filters and alarms were read only in this account's assessed regions.
    own = groups[groups["account"].isin(["", s.account_id]) & groups["region"].isin(s.regions)]
    if own.empty:
        return account_finding(s, ERROR, f"Could not evaluate: trail log group(s) {', '.join(groups['name'])} "
                                         "are in another account or an unassessed region, where metric "
                                         "filters and alarms were not read.")
    region = own["region"].iloc[0]

    cand = filters.merge(own.rename(columns={"name": "log_group_name"})[["region", "log_group_name", "trail"]],
                         on=["region", "log_group_name"])
    cand = cand[cand["filter_pattern"].map(monitor.covered_by)]
    if cand.empty:
        names = ", ".join(own["name"])
        return account_finding(s, FAIL, f"No metric filter on the trail log group ({names}) matches "
                               f"{monitor.what}.", region=region)

    metrics = _alarm_metrics(alarms)
    chain = cand.merge(metrics, left_on=["region", "metric_namespace", "metric_name"],
                       right_on=["region", "namespace", "metric_name"])
    if chain.empty:
        f = cand.iloc[0]
        return account_finding(s, FAIL, f"Metric filter {f['filter_name']} on {f['log_group_name']} counts "
                               f"{monitor.what}, but no alarm watches its metric {f['metric_namespace']}/"
                               f"{f['metric_name']}.", region=region)

    watched = chain
    # An alarm whose actions setting, or a subscription whose confirmation, is missing may complete
    # the chain: it is followed, and a chain that rests on one is ERROR, never PASS.
    on = flag(alarms["actions_enabled"])
    enabled = alarms[on.fillna(True)].assign(actions_known=on.notna())
    actions = enabled[["region", "alarm_name", "actions_known"]].assign(
        topic_arn=parse_json(enabled["alarm_actions_json"])).explode("topic_arn")
    actions = actions[actions["topic_arn"].astype(str).str.contains(":sns:", regex=False)]
    chain = chain.merge(actions, on=["region", "alarm_name"])
    if chain.empty:
        names = ", ".join(sorted(set(watched["alarm_name"])))
        return account_finding(s, FAIL, f"The alarm(s) on {monitor.what} ({names}) notify no SNS topic, "
                                        "or have their actions disabled.", region=region)

    confirmed = flag(subs["confirmed"])
    subscribed = subs[confirmed.fillna(True)].assign(confirmation_known=confirmed.notna())
    done = chain.merge(subscribed[["topic_arn", "protocol", "confirmation_known"]], on="topic_arn")
    if done.empty:
        topics = ", ".join(sorted(set(chain["topic_arn"])))
        parts = chain["topic_arn"].astype(str).str.split(":")
        unseen = (parts.str[4] != s.account_id) | ~parts.str[3].isin(s.regions)
        if unseen.all():
            return account_finding(s, ERROR, f"Could not evaluate: alarm {chain['alarm_name'].iloc[0]} on "
                                             f"{monitor.what} notifies {topics}, in another account or an "
                                             "unassessed region, whose subscriptions were not read.",
                                   region=region)
        return account_finding(s, FAIL, f"Alarm {chain['alarm_name'].iloc[0]} on {monitor.what} notifies "
                                        f"{topics}, which has no confirmed subscriber: nobody receives it.",
                               region=region)
    known = done[done["actions_known"] & done["confirmation_known"]]
    if known.empty:
        d = done.iloc[0]
        return account_finding(s, ERROR, f"Could not evaluate: whether alarm {d['alarm_name']} on {monitor.what} "
                                         f"has its actions enabled, or whether the subscriber of {d['topic_arn']} "
                                         "confirmed, is missing from the snapshot.", region=region)
    d = known.iloc[0]
    return account_finding(s, PASS, f"Trail {d['trail']} -> metric filter {d['filter_name']} on "
                                    f"{d['log_group_name']} -> alarm {d['alarm_name']} -> {d['topic_arn']} "
                                    f"(confirmed {d['protocol']} subscriber) alarms on {monitor.what}.",
                           region=region)


# -- the checks: one per CIS monitoring control --------------------------------------------------

def cloudwatch_alarm_unauthorized_api_calls(s) -> pd.DataFrame:
    return monitored(s, "unauthorized_api_calls")


def cloudwatch_alarm_console_signin_without_mfa(s) -> pd.DataFrame:
    return monitored(s, "console_signin_without_mfa")


def cloudwatch_alarm_root_account_usage(s) -> pd.DataFrame:
    return monitored(s, "root_account_usage")


def cloudwatch_alarm_iam_policy_changes(s) -> pd.DataFrame:
    return monitored(s, "iam_policy_changes")


def cloudwatch_alarm_cloudtrail_config_changes(s) -> pd.DataFrame:
    return monitored(s, "cloudtrail_config_changes")


def cloudwatch_alarm_console_auth_failures(s) -> pd.DataFrame:
    return monitored(s, "console_auth_failures")


def cloudwatch_alarm_cmk_disable_or_deletion(s) -> pd.DataFrame:
    return monitored(s, "cmk_disable_or_deletion")


def cloudwatch_alarm_s3_bucket_policy_changes(s) -> pd.DataFrame:
    return monitored(s, "s3_bucket_policy_changes")


def cloudwatch_alarm_config_changes(s) -> pd.DataFrame:
    return monitored(s, "config_changes")


def cloudwatch_alarm_security_group_changes(s) -> pd.DataFrame:
    return monitored(s, "security_group_changes")


def cloudwatch_alarm_nacl_changes(s) -> pd.DataFrame:
    return monitored(s, "nacl_changes")


def cloudwatch_alarm_network_gateway_changes(s) -> pd.DataFrame:
    return monitored(s, "network_gateway_changes")


def cloudwatch_alarm_route_table_changes(s) -> pd.DataFrame:
    return monitored(s, "route_table_changes")


def cloudwatch_alarm_vpc_changes(s) -> pd.DataFrame:
    return monitored(s, "vpc_changes")


def cloudwatch_alarm_organizations_changes(s) -> pd.DataFrame:
    return monitored(s, "organizations_changes")
