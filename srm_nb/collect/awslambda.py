"""Lambda: functions (runtime, role, VPC), their resource policies and function URLs.

The module is not called `lambda.py`: that name is a Python keyword and cannot be imported.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "lambda",
    service="lambda",
    scope=REGIONAL,
    operations=("ListFunctions", "GetPolicy", "ListFunctionUrlConfigs"),
    tables={
        "lambda_functions": ("region", "function_name", "arn", "runtime", "role", "handler",
                             "package_type", "last_modified", "vpc_id", "subnet_ids_json",
                             "security_group_ids_json", "architectures_json"),
        "lambda_policies": ("region", "function_name", "arn", "policy_json"),
        "lambda_function_urls": ("region", "function_name", "function_arn", "function_url",
                                 "auth_type", "cors_json"),
    },
)
def collect_lambda(ctx: Ctx) -> None:
    """Functions, then per function its resource policy (none is a fact) and function URLs."""
    functions = ctx.paginate("ListFunctions", "Functions",
                             table=("lambda_functions", "lambda_policies", "lambda_function_urls"))
    rows = []
    for f in functions or []:
        vpc = f.get("VpcConfig") or {}
        rows.append({
            "function_name": f["FunctionName"],
            "arn": f.get("FunctionArn"),
            # Container-image functions have no runtime: AWS patches nothing for them.
            "runtime": f.get("Runtime"),
            "role": f.get("Role"),
            "handler": f.get("Handler"),
            "package_type": f.get("PackageType", "Zip"),
            "last_modified": f.get("LastModified"),
            "vpc_id": vpc.get("VpcId") or None,
            "subnet_ids_json": to_json(vpc.get("SubnetIds", [])),
            "security_group_ids_json": to_json(vpc.get("SecurityGroupIds", [])),
            "architectures_json": to_json(f.get("Architectures", [])),
        })
    ctx.add("lambda_functions", rows)
    for f in functions or []:
        name, arn = f["FunctionName"], f.get("FunctionArn")
        policy = ctx.call("GetPolicy", table="lambda_policies", resource_id=name,
                          absent=("ResourceNotFoundException",), FunctionName=name)
        if policy is not None:
            ctx.add("lambda_policies", {"function_name": name, "arn": arn,
                                        "policy_json": policy.get("Policy") or None})
        urls = ctx.paginate("ListFunctionUrlConfigs", "FunctionUrlConfigs", table="lambda_function_urls",
                            resource_id=name, FunctionName=name)
        ctx.add("lambda_function_urls", [{
            "function_name": name,
            "function_arn": u.get("FunctionArn", arn),
            "function_url": u.get("FunctionUrl"),
            "auth_type": u.get("AuthType"),
            "cors_json": to_json(u.get("Cors")),
        } for u in urls or []])
