"""Policy evaluation on hand-built documents: principal forms, conditions, Deny, odd shapes."""

from __future__ import annotations

import json

import pytest

from srm_nb.checks.policy import (
    denies_insecure_transport,
    external_trusts_without_external_id,
    grants_full_admin,
    is_public_policy,
    service_wildcard_actions,
    statements,
    trusted_accounts,
    trusts_everyone,
)

BUCKET = "arn:aws:s3:::b/*"


def allow(principal, action="s3:GetObject", resource=BUCKET, condition=None, **extra):
    st = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}
    if condition is not None:
        st["Condition"] = condition
    return st


def doc(*sts):
    return {"Version": "2012-10-17", "Statement": list(sts)}


# -- principals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("principal", [
    "*",
    {"AWS": "*"},
    {"AWS": ["*"]},
    {"AWS": ["arn:aws:iam::111122223333:root", "*"]},
    {"AWS": "arn:aws:iam::*:root"},
    ["*"],
])
def test_wildcard_principal_forms_are_public(principal):
    assert is_public_policy(doc(allow(principal)))


@pytest.mark.parametrize("principal", [
    {"AWS": "arn:aws:iam::111122223333:root"},
    {"AWS": "111122223333"},
    {"AWS": ["arn:aws:iam::111122223333:role/reader", "arn:aws:iam::444455556666:root"]},
    {"Service": "cloudtrail.amazonaws.com"},
    {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
])
def test_named_principals_are_not_public(principal):
    assert not is_public_policy(doc(allow(principal)))


def test_allow_with_not_principal_is_public():
    st = {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
          "Action": "s3:GetObject", "Resource": BUCKET}
    assert is_public_policy(doc(st))


def test_statement_without_principal_is_not_public():
    assert not is_public_policy(doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))


# -- conditions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.7/32"]}},
    {"StringEquals": {"aws:SourceVpc": "vpc-0abc"}},
    {"StringEquals": {"aws:SourceVpce": ["vpce-1a2b"]}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    {"StringEquals": {"aws:PrincipalAccount": "111122223333"}},
    {"StringEquals": {"aws:SourceAccount": "111122223333"}},
    {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/*"}},
    {"StringEquals": {"AWS:SourceOwner": "111122223333"}},  # key case does not matter
    {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/reader"}},
    {"StringEquals": {"aws:SourceOrgID": "o-abc123"}},
    # Keys are ANDed: one limiting key is enough even next to a weak one.
    {"StringEquals": {"aws:SourceAccount": "111122223333", "aws:SourceArn": "*"}},
])
def test_limiting_conditions_make_a_wildcard_principal_not_public(condition):
    assert not is_public_policy(doc(allow("*", condition=condition)))


@pytest.mark.parametrize("condition", [
    {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "0.0.0.0/0"]}},  # values are ORed
    {"StringEquals": {"aws:PrincipalOrgID": "o-*"}},
    {"StringLike": {"aws:SourceArn": "*"}},
    {"StringNotEquals": {"aws:SourceVpc": "vpc-0abc"}},  # a negation limits nothing
    {"Bool": {"aws:SecureTransport": "true"}},  # not about who
    {"StringEquals": {"s3:prefix": "public/"}},
    {"StringEquals": {"sts:ExternalId": "abc"}},  # not a secret: limits nobody
])
def test_weak_conditions_leave_it_public(condition):
    assert is_public_policy(doc(allow("*", condition=condition)))


def test_external_id_does_not_limit_an_open_trust_policy():
    """An external id is not a secret (AWS Well-Architected SEC03-BP09): Principal "*" with only
    an sts:ExternalId condition lets anyone who learns the id assume the role."""
    trust = doc(allow({"AWS": "*"}, action="sts:AssumeRole", resource=None,
                      condition={"StringEquals": {"sts:ExternalId": "x-123"}}))
    assert trusts_everyone(trust)
    pinned = doc(allow({"AWS": "*"}, action="sts:AssumeRole", resource=None,
                       condition={"StringEquals": {"sts:ExternalId": "x-123", "aws:PrincipalAccount": "444455556666"}}))
    assert not trusts_everyone(pinned)


# -- Deny ---------------------------------------------------------------------------------------

def test_unconditional_deny_cancels_public_allow():
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET}
    assert not is_public_policy(doc(allow("*"), deny))


def test_deny_unless_in_organization_restricts_public_allow():
    deny = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    assert not is_public_policy(doc(allow("*"), deny))


def test_deny_on_other_actions_or_resources_does_not_cancel():
    other_action = {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject", "Resource": BUCKET}
    other_bucket = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::other/*"}
    assert is_public_policy(doc(allow("*"), other_action))
    assert is_public_policy(doc(allow("*"), other_bucket))


def test_tls_only_deny_does_not_cancel_public_allow():
    tls = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET,
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert is_public_policy(doc(allow("*"), tls))
    assert denies_insecure_transport(doc(allow("*"), tls))


def test_deny_for_one_principal_does_not_cancel_public_allow():
    deny = {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "*",
            "Resource": "*"}
    assert is_public_policy(doc(allow("*"), deny))


# -- odd shapes ---------------------------------------------------------------------------------

def test_single_statement_not_in_a_list():
    assert is_public_policy({"Version": "2012-10-17", "Statement": allow("*")})


def test_lowercase_effect_is_understood():
    st = allow("*")
    st["Effect"] = "allow"
    assert is_public_policy(doc(st))
    assert statements(doc(st))[0]["Effect"] == "Allow"


def test_policy_as_json_text_and_url_encoded_text():
    text = json.dumps(doc(allow("*")))
    assert is_public_policy(text)
    from urllib.parse import quote

    assert is_public_policy(quote(text))


def test_empty_and_missing_documents():
    assert not is_public_policy(None)
    assert not is_public_policy({})
    assert not is_public_policy({"Statement": []})
    assert not grants_full_admin(None)
    assert not denies_insecure_transport({})


def test_garbage_text_raises_a_clear_error():
    with pytest.raises(ValueError, match="not JSON"):
        is_public_policy("this is not a policy")
    with pytest.raises(ValueError, match="JSON object"):
        is_public_policy("[1, 2]")


def test_non_dict_statements_are_ignored_and_boolean_condition_values_work():
    tls = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": BUCKET,
           "Condition": {"Bool": {"aws:SecureTransport": False}}}
    assert denies_insecure_transport({"Statement": ["junk", tls]})


# -- identity policies --------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["*", "*:*", ["s3:GetObject", "*"]])
def test_full_admin_forms(action):
    assert grants_full_admin(doc({"Effect": "Allow", "Action": action, "Resource": "*"}))


def test_full_admin_with_condition_is_still_admin():
    st = {"Effect": "Allow", "Action": "*", "Resource": "*",
          "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}
    assert grants_full_admin(doc(st))


@pytest.mark.parametrize("st", [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"},
    {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "*", "Resource": "*"},
])
def test_not_full_admin(st):
    assert not grants_full_admin(doc(st))


def test_full_admin_cancelled_by_deny_everything():
    assert not grants_full_admin(doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                                     {"Effect": "Deny", "Action": "*", "Resource": "*"}))


def test_service_wildcards():
    d = doc({"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*", "iam:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*"})
    assert service_wildcard_actions(d) == ["iam:*", "s3:*"]
    assert service_wildcard_actions(doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})) == []
    # NotAction: everything but IAM is allowed, every other service's wildcard included.
    assert service_wildcard_actions(doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})) == [
        "NotAction iam:*"]
    assert service_wildcard_actions(doc({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})) == []


# -- role trust ---------------------------------------------------------------------------------

def trust(principal, condition=None, action="sts:AssumeRole"):
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return doc(st)


def test_trusted_accounts_from_every_principal_form():
    d = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": [
        "arn:aws:iam::111122223333:root", "444455556666", "arn:aws:iam::777788889999:role/x",
        "arn:aws:sts::121212121212:assumed-role/y/z", "*"]}})
    assert trusted_accounts(d) == {"111122223333", "444455556666", "777788889999", "121212121212"}
    assert trusted_accounts(trust("arn:aws:iam::111122223333:root")) == {"111122223333"}


def test_cross_account_without_external_id():
    own = "123456789012"
    assert external_trusts_without_external_id(trust({"AWS": "arn:aws:iam::111122223333:root"}), own) \
        == ["111122223333"]
    assert external_trusts_without_external_id(
        trust({"AWS": "111122223333"}, {"StringEquals": {"sts:ExternalId": "abc"}}), own) == []
    assert external_trusts_without_external_id(
        trust({"AWS": "111122223333"}, {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), own) == []
    assert external_trusts_without_external_id(trust({"AWS": f"arn:aws:iam::{own}:root"}), own) == []
    # An ExternalId of "*" proves nothing.
    assert external_trusts_without_external_id(
        trust({"AWS": "111122223333"}, {"StringLike": {"sts:ExternalId": "*"}}), own) == ["111122223333"]


def test_trusts_everyone_forms():
    assert trusts_everyone(trust({"AWS": "*"}))
    assert trusts_everyone(trust("*"))
    assert trusts_everyone(trust({"AWS": "arn:aws:iam::*:root"}))
    assert not trusts_everyone(trust({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}))
    assert not trusts_everyone(trust({"Service": "ec2.amazonaws.com"}))
    assert not trusts_everyone(trust({"AWS": "arn:aws:iam::111122223333:root"}))


def test_open_web_identity_trust_needs_a_subject_condition():
    gh = {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}
    assert trusts_everyone(trust(gh, action="sts:AssumeRoleWithWebIdentity"))
    assert trusts_everyone(trust(gh, {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
                                 action="sts:AssumeRoleWithWebIdentity"))
    assert not trusts_everyone(trust(gh, {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/r:*"}},
                                     action="sts:AssumeRoleWithWebIdentity"))
    cognito = {"Federated": "cognito-identity.amazonaws.com"}
    assert trusts_everyone(trust(cognito, action="sts:AssumeRoleWithWebIdentity"))
    assert not trusts_everyone(trust(cognito, {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}},
                                     action="sts:AssumeRoleWithWebIdentity"))


def test_malformed_condition_neither_limits_an_allow_nor_cancels_through_a_deny():
    odd_allow = allow("*", condition="aws:SourceVpc=vpc-1")
    assert is_public_policy(doc(odd_allow))
    odd_deny = {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": ["x"]}
    assert is_public_policy(doc(allow("*"), odd_deny))
    assert grants_full_admin(doc({"Effect": "Allow", "Action": "*", "Resource": "*"},
                                 {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": "junk"}))


# -- TLS-only bucket policies (FSBP S3.5, CIS) ------------------------------------------------------

def _tls_deny(**changes):
    st = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
          "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    st.update(changes)
    return doc({k: v for k, v in st.items() if v is not None})


@pytest.mark.parametrize("changes, expected", [
    ({}, True),
    ({"Action": "*"}, True),
    ({"Principal": {"AWS": "*"}}, True),
    ({"Resource": "*"}, True),
    ({"Resource": "arn:aws:s3:::b*"}, True),
    ({"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}, True),  # the form CIS accepts
    ({"Action": "s3:PutObject"}, False),  # one action only
    ({"Principal": {"AWS": "arn:aws:iam::111122223333:root"}}, False),  # one principal only
    ({"Resource": "arn:aws:s3:::b/*"}, False),  # objects only, not the bucket
    ({"Resource": "arn:aws:s3:::other/*"}, False),
    ({"Condition": {"NumericLessThan": {"s3:TlsVersion": "1.0"}}}, False),  # allows TLS 1.0
    ({"Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
])
def test_a_tls_only_policy_denies_every_action_to_everyone_on_bucket_and_objects(changes, expected):
    assert denies_insecure_transport(_tls_deny(**changes), bucket="b") is expected
