"""The words every layer shares, each defined once.

No imports on purpose: the CLI reads these for `--help` and option choices without loading pandas.
"""

# Verdicts a finding can carry.
PASS, FAIL, ERROR, NOT_APPLICABLE, MANUAL = "PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MANUAL"
STATUSES = (PASS, FAIL, ERROR, NOT_APPLICABLE, MANUAL)

# Most severe first: `--fail-on`, sorting and the scoring weights follow this order.
SEVERITIES = ("critical", "high", "medium", "low", "informational")

# Remediation effort, quickest first: the remediation plan orders fixes of equal severity by it.
EFFORTS = ("low", "medium", "high")

# The customer's responsibilities, in the order the report presents them.
DOMAINS: dict[str, str] = {
    "identity_access": "Identity and access",
    "encryption_at_rest": "Encryption at rest",
    "encryption_in_transit": "Encryption in transit",
    "network": "Network and firewall",
    "patching": "OS and platform patching",
    "logging": "Logging and audit",
    "threat_detection": "Threat detection",
    "backup": "Backup and resilience",
    "appsec": "Application security and compliance",
}

# The region of account-wide rows and of global services (IAM, S3's bucket list, Organizations).
GLOBAL = "global"

# The credential report's name for the root user.
ROOT_USER = "<root_account>"

# Paper sizes for the PDF: the CSS @page size, and the printable width (the page less its 10 mm
# side margins) at 96 dpi, which the charts are laid out to.
PAPERS: dict[str, dict] = {
    "a4": {"css": "A4", "width_px": 718},
    "letter": {"css": "letter", "width_px": 740},
}
