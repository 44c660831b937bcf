"""Demo monitoring: CIS metric filters and alarms on the audit trail's log group (eu-west-1).

Northwind set up some of the CIS alarms, and not all of them end with someone being told:
- root usage, unauthorized API calls, CloudTrail changes: filter + alarm + topic
  "northwind-security-alerts" with a confirmed e-mail subscriber (complete: PASS);
- console sign-in without MFA: the filter counts every ConsoleLogin (MFA or not), so it does
  not select what the control asks for (FAIL);
- IAM policy changes: the filter exists but no alarm watches its metric (FAIL);
- security group changes: alarm on topic "northwind-ops-pager", which nobody subscribed to (FAIL);
- everything else: no filter (FAIL).

moto's SNS confirms every subscription at once (its SubscriptionArn is a real ARN, never
"PendingConfirmation"), so "nobody receives it" is shown with a topic that has no subscription.
"""

from __future__ import annotations

from . import DemoAws
from .cloudtrail import AUDIT_LOG_GROUP

REGION = "eu-west-1"
NAMESPACE = "CISBenchmark"

FILTERS = {
    # The CIS v1.4+ text, with its unparenthesized mix of || and &&.
    "UnauthorizedAPICalls": ('{($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") '
                             '&& ($.sourceIPAddress!="delivery.logs.amazonaws.com") '
                             '&& ($.eventName!="HeadBucket")}', "northwind-security-alerts"),
    "RootAccountUsage": ('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
                         '&& $.eventType != "AwsServiceEvent" }', "northwind-security-alerts"),
    "CloudTrailChanges": ("{($.eventName=CreateTrail)||($.eventName=UpdateTrail)||($.eventName=DeleteTrail)"
                          "||($.eventName=StartLogging)||($.eventName=StopLogging)}",
                          "northwind-security-alerts"),
    "ConsoleSignin": ('{ $.eventName = "ConsoleLogin" }', "northwind-security-alerts"),
    "IAMPolicyChanges": ("{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)"
                         "||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)"
                         "||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)"
                         "||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)"
                         "||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)"
                         "||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)"
                         "||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)"
                         "||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}", None),
    "SecurityGroupChanges": ("{ ($.eventName = AuthorizeSecurityGroupIngress) || "
                             "($.eventName = AuthorizeSecurityGroupEgress) || "
                             "($.eventName = RevokeSecurityGroupIngress) || "
                             "($.eventName = RevokeSecurityGroupEgress) || "
                             "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
                             "northwind-ops-pager"),
}


def seed(aws: DemoAws) -> None:
    sns = aws.client("sns", REGION)
    topics = {name: sns.create_topic(Name=name)["TopicArn"]
              for name in ("northwind-security-alerts", "northwind-ops-pager")}
    sns.subscribe(TopicArn=topics["northwind-security-alerts"], Protocol="email",
                  Endpoint="secops@northwind.example")
    logs = aws.client("logs", REGION)
    cw = aws.client("cloudwatch", REGION)
    for metric, (pattern, topic) in FILTERS.items():
        logs.put_metric_filter(logGroupName=AUDIT_LOG_GROUP, filterName=metric, filterPattern=pattern,
                               metricTransformations=[{"metricName": metric, "metricNamespace": NAMESPACE,
                                                       "metricValue": "1"}])
        if topic is None:
            continue
        cw.put_metric_alarm(AlarmName=f"cis-{metric}", MetricName=metric, Namespace=NAMESPACE,
                            Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanOrEqualToThreshold",
                            AlarmActions=[topics[topic]], ActionsEnabled=True)
