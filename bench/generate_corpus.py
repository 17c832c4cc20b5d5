"""Generate a synthetic corpus of realistic AWS Terraform for the scanner benchmark.

The corpus is one root directory of "stacks" (one folder each, like the root modules of a real
monorepo), so that `comply scan terraform bench/corpus` covers all of it. Each stack has a
variables.tf with defaults, a locals.tf, and service files whose resources reference each other
(`aws_kms_key.x.arn`, `aws_s3_bucket.x.id`) and interpolate variables and locals, with a mix of
compliant and non-compliant settings. Same seed, same bytes.

    python bench/generate_corpus.py --out bench/corpus --files 700 --seed 1
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "corpus"
DEFAULT_FILES = 700
DEFAULT_SEED = 1

# Most settings are compliant: a real codebase is mostly fine with a few gaps, and a corpus that
# fails everything would not exercise the pass paths of the checks.
COMPLIANT = 0.75

TEAMS = ["claims", "billing", "portal", "imaging", "labs", "pharmacy", "scheduling", "analytics"]
TEAMS += ["identity", "messaging", "telehealth", "records", "payments", "intake", "referrals"]
DATASETS = ["documents", "exports", "uploads", "reports", "archive", "backups", "attachments"]
DATASETS += ["invoices", "images", "results", "statements", "audit", "snapshots", "events"]
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1"]
ENVIRONMENTS = ["dev", "staging", "prod"]
TLS_POLICIES = ["ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"]
ACCOUNT = "111122223333"
VPC_NAME = '"${local.name_prefix}-vpc"'
RESOURCE_BLOCK = re.compile(r'^resource "', re.MULTILINE)
WEAK_TLS_POLICIES = ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-0-2015-04"]


@dataclass
class Stack:
    """What the files of one stack may reference; files only reference files written before."""

    name: str
    rng: random.Random
    kms_keys: list[str] = field(default_factory=list)
    log_bucket: str | None = None
    buckets: list[str] = field(default_factory=list)
    vpc: str | None = None
    private_subnets: str | None = None
    public_subnets: str | None = None
    app_sg: str | None = None
    _used: set[str] = field(default_factory=set)

    def ok(self, probability: float = COMPLIANT) -> bool:
        return self.rng.random() < probability

    def unique(self, base: str) -> str:
        """A resource name not used yet in this stack (Terraform requires it across files)."""
        name, n = base, 2
        while name in self._used:
            name, n = f"{base}_{n}", n + 1
        self._used.add(name)
        return name

    def kms(self) -> str:
        return self.rng.choice(self.kms_keys) if self.kms_keys else ""


@dataclass
class TfFile:
    name: str
    text: str

    @property
    def resources(self) -> int:
        """Resource blocks, counted from the text so the printed total cannot drift from it."""
        return len(RESOURCE_BLOCK.findall(self.text))


# --- variables and locals ------------------------------------------------------------------------


def variables_tf(stack: Stack) -> TfFile:
    rng = stack.rng
    defaults: list[tuple[str, str, str, str]] = [
        ("region", "string", f'"{rng.choice(REGIONS)}"', "AWS region"),
        ("environment", "string", f'"{rng.choice(ENVIRONMENTS)}"', "Deployment environment"),
        ("project", "string", f'"{stack.name}"', "Prefix of every resource name"),
        ("vpc_cidr", "string", f'"10.{rng.randrange(0, 250)}.0.0/16"', "CIDR of the VPC"),
        ("log_retention_days", "number", rng.choice(["365", "400", "731", "90", "30"]), "Logs"),
        ("backup_retention_days", "number", rng.choice(["35", "14", "7", "1"]), "RDS backups"),
        ("db_instance_class", "string", f'"{rng.choice(["db.t4g.medium", "db.r6g.large"])}"', ""),
        ("enable_deletion_protection", "bool", "true" if stack.ok(0.8) else "false", ""),
        ("allowed_admin_cidrs", "list(string)", '["10.0.0.0/8"]', "Networks allowed to SSH"),
        ("owner_email", "string", f'"{stack.name}@example-health.com"', "Owning team"),
    ]
    blocks = []
    for name, type_, default, description in defaults:
        desc = f'  description = "{description or name.replace("_", " ").capitalize()}"\n'
        blocks.append(
            f'variable "{name}" {{\n{desc}  type        = {type_}\n  default     = {default}\n}}\n'
        )
    return TfFile("variables.tf", "\n".join(blocks))


def locals_tf(stack: Stack) -> TfFile:
    text = f"""locals {{
  name_prefix = "${{var.project}}-${{var.environment}}"
  is_prod     = var.environment == "prod"

  common_tags = {{
    Project     = var.project
    Environment = var.environment
    Owner       = var.owner_email
    ManagedBy   = "terraform"
    DataClass   = "{stack.rng.choice(["phi", "pii", "internal"])}"
  }}

  azs = ["${{var.region}}a", "${{var.region}}b", "${{var.region}}c"]
}}
"""
    return TfFile("locals.tf", text)


# --- service files -------------------------------------------------------------------------


def kms_tf(stack: Stack) -> TfFile:
    parts = []
    for purpose in stack.rng.sample(["data", "logs", "backups", "secrets", "exports"], k=3):
        key = stack.unique(f"{purpose}")
        rotation = "true" if stack.ok(0.8) else "false"
        rotation_line = f"  enable_key_rotation     = {rotation}\n" if stack.ok(0.9) else ""
        parts.append(
            f'resource "aws_kms_key" "{key}" {{\n'
            f'  description             = "${{local.name_prefix}} {purpose} key"\n'
            f"  deletion_window_in_days = {stack.rng.choice([7, 14, 30])}\n"
            f"{rotation_line}"
            f"  tags                    = local.common_tags\n}}\n\n"
            f'resource "aws_kms_alias" "{key}" {{\n'
            f'  name          = "alias/${{local.name_prefix}}-{purpose}"\n'
            f"  target_key_id = aws_kms_key.{key}.key_id\n}}\n"
        )
        stack.kms_keys.append(key)
    return TfFile("kms.tf", "\n".join(parts))


def network_tf(stack: Stack) -> TfFile:
    rng = stack.rng
    vpc = stack.unique("main")
    stack.vpc = vpc
    stack.private_subnets, stack.public_subnets = (
        f"aws_subnet.{vpc}_private",
        f"aws_subnet.{vpc}_public",
    )
    parts = [
        f'resource "aws_vpc" "{vpc}" {{\n  cidr_block           = var.vpc_cidr\n'
        f"  enable_dns_support   = true\n  enable_dns_hostnames = true\n"
        f"  tags                 = merge(local.common_tags, {{ Name = {VPC_NAME} }})\n}}\n",
    ]
    for tier, offset in (("private", 0), ("public", 8)):
        parts.append(
            f'resource "aws_subnet" "{vpc}_{tier}" {{\n  count             = 2\n'
            f"  vpc_id            = aws_vpc.{vpc}.id\n"
            f"  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + {offset})\n"
            f"  availability_zone = local.azs[count.index]\n"
            f"  map_public_ip_on_launch = {'true' if tier == 'public' else 'false'}\n}}\n"
        )
    if stack.ok(0.8):
        kms_line = f"  kms_key_id        = aws_kms_key.{stack.kms()}.arn\n" if stack.ok() else ""
        parts.append(
            f'resource "aws_cloudwatch_log_group" "{vpc}_flow_logs" {{\n'
            f'  name              = "/aws/vpc/${{local.name_prefix}}/flow-logs"\n'
            f"  retention_in_days = var.log_retention_days\n{kms_line}}}\n\n"
            f'resource "aws_iam_role" "{vpc}_flow_logs" {{\n'
            f'  name = "${{local.name_prefix}}-flow-logs"\n'
            f"  assume_role_policy = jsonencode({{\n"
            f'    Version = "2012-10-17"\n    Statement = [{{\n      Effect    = "Allow"\n'
            f'      Principal = {{ Service = "vpc-flow-logs.amazonaws.com" }}\n'
            f'      Action    = "sts:AssumeRole"\n    }}]\n  }})\n}}\n\n'
            f'resource "aws_flow_log" "{vpc}" {{\n  vpc_id          = aws_vpc.{vpc}.id\n'
            f'  traffic_type    = "{"ALL" if stack.ok(0.85) else "REJECT"}"\n'
            f"  log_destination = aws_cloudwatch_log_group.{vpc}_flow_logs.arn\n"
            f"  iam_role_arn    = aws_iam_role.{vpc}_flow_logs.arn\n}}\n"
        )
    for _ in range(rng.randint(3, 5)):
        parts.append(_security_group(stack))
    return TfFile("network.tf", "\n".join(parts))


def _security_group(stack: Stack) -> str:
    """A group with rules in one of the three styles Terraform allows."""
    rng = stack.rng
    role = rng.choice(["app", "worker", "bastion", "db", "cache", "api"])
    sg = stack.unique(f"{role}")
    if stack.app_sg is None:
        stack.app_sg = sg
    port = {"app": 8443, "worker": 9000, "bastion": 22, "db": 5432, "cache": 6379, "api": 443}[role]
    if role in ("bastion", "db") and not stack.ok(0.7):
        port = rng.choice([22, 3389, 5432])
        cidr = '"0.0.0.0/0"'
    else:
        cidr = rng.choice(['"10.0.0.0/8"', "var.vpc_cidr", "var.allowed_admin_cidrs[0]"])
    head = (
        f'resource "aws_security_group" "{sg}" {{\n'
        f'  name        = "${{local.name_prefix}}-{sg.replace("_", "-")}"\n'
        f'  description = "{role} tier"\n  vpc_id      = aws_vpc.{stack.vpc}.id\n'
    )
    style = rng.choice(["inline", "rule", "vpc_rule"])
    if style == "inline":
        return (
            f"{head}\n  ingress {{\n    from_port   = {port}\n    to_port     = {port}\n"
            f'    protocol    = "tcp"\n    cidr_blocks = [{cidr}]\n  }}\n\n'
            f'  egress {{\n    from_port   = 0\n    to_port     = 0\n    protocol    = "-1"\n'
            f'    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n'
        )
    if style == "rule":
        return (
            f"{head}}}\n\n"
            f'resource "aws_security_group_rule" "{sg}_ingress" {{\n'
            f'  type              = "ingress"\n'
            f"  from_port         = {port}\n  to_port           = {port}\n"
            f'  protocol          = "tcp"\n  cidr_blocks       = [{cidr}]\n'
            f"  security_group_id = aws_security_group.{sg}.id\n}}\n\n"
            f'resource "aws_security_group_rule" "{sg}_egress" {{\n  type              = "egress"\n'
            f'  from_port         = 0\n  to_port           = 0\n  protocol          = "-1"\n'
            f'  cidr_blocks       = ["0.0.0.0/0"]\n'
            f"  security_group_id = aws_security_group.{sg}.id\n}}\n"
        )
    return (
        f"{head}}}\n\n"
        f'resource "aws_vpc_security_group_ingress_rule" "{sg}" {{\n'
        f"  security_group_id = aws_security_group.{sg}.id\n  cidr_ipv4         = {cidr}\n"
        f'  from_port         = {port}\n  to_port           = {port}\n  ip_protocol       = "tcp"\n'
        f"}}\n\n"
        f'resource "aws_vpc_security_group_egress_rule" "{sg}" {{\n'
        f'  security_group_id = aws_security_group.{sg}.id\n  cidr_ipv4         = "0.0.0.0/0"\n'
        f'  ip_protocol       = "-1"\n}}\n'
    )


def s3_tf(stack: Stack) -> TfFile:
    parts: list[str] = []
    log_bucket = stack.unique("access_logs")
    parts.append(_s3_split(stack, log_bucket, "access-logs", logged=False, kms=False))
    stack.log_bucket = log_bucket
    for dataset in stack.rng.sample(DATASETS, k=stack.rng.randint(4, 7)):
        name = stack.unique(dataset)
        if stack.ok(0.1):
            parts.append(_s3_legacy(stack, name, dataset))
        else:
            parts.append(_s3_split(stack, name, dataset, logged=stack.ok(), kms=stack.ok()))
        stack.buckets.append(name)
    return TfFile("s3.tf", "\n".join(parts))


def _s3_split(stack: Stack, name: str, suffix: str, *, logged: bool, kms: bool) -> str:
    """A bucket with its provider v4+ companion resources, some of them missing or weakened."""
    ref = f"aws_s3_bucket.{name}"
    parts = [
        f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "${{local.name_prefix}}-{suffix}"\n'
        f"  tags   = local.common_tags\n}}\n"
    ]
    if stack.ok(0.85):
        if kms and stack.kms_keys:
            default = (
                f'      sse_algorithm     = "aws:kms"\n'
                f"      kms_master_key_id = aws_kms_key.{stack.kms()}.arn\n"
            )
        else:
            default = '      sse_algorithm = "AES256"\n'
        parts.append(
            f'resource "aws_s3_bucket_server_side_encryption_configuration" "{name}" {{\n'
            f"  bucket = {ref}.id\n\n  rule {{\n    apply_server_side_encryption_by_default {{\n"
            f"{default}    }}\n    bucket_key_enabled = true\n  }}\n}}\n"
        )
    if stack.ok(0.85):
        status = "Enabled" if stack.ok(0.85) else "Suspended"
        parts.append(
            f'resource "aws_s3_bucket_versioning" "{name}" {{\n  bucket = {ref}.id\n\n'
            f'  versioning_configuration {{\n    status = "{status}"\n  }}\n}}\n'
        )
    if stack.ok(0.9):
        flags = ["true" if stack.ok(0.93) else "false" for _ in range(4)]
        parts.append(
            f'resource "aws_s3_bucket_public_access_block" "{name}" {{\n  bucket = {ref}.id\n\n'
            f"  block_public_acls       = {flags[0]}\n  block_public_policy     = {flags[1]}\n"
            f"  ignore_public_acls      = {flags[2]}\n  restrict_public_buckets = {flags[3]}\n}}\n"
        )
    if logged and stack.log_bucket:
        parts.append(
            f'resource "aws_s3_bucket_logging" "{name}" {{\n  bucket        = {ref}.id\n'
            f"  target_bucket = aws_s3_bucket.{stack.log_bucket}.id\n"
            f'  target_prefix = "{suffix}/"\n}}\n'
        )
    if stack.ok(0.7):
        parts.append(_tls_only_policy(name, ref))
    return "\n".join(parts)


def _tls_only_policy(name: str, ref: str) -> str:
    return (
        f'resource "aws_s3_bucket_policy" "{name}" {{\n  bucket = {ref}.id\n'
        f"  policy = jsonencode({{\n"
        f'    Version = "2012-10-17"\n    Statement = [{{\n'
        f'      Sid       = "DenyInsecureTransport"\n      Effect    = "Deny"\n'
        f'      Principal = "*"\n      Action    = "s3:*"\n'
        f'      Resource  = [{ref}.arn, "${{{ref}.arn}}/*"]\n'
        f'      Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }}\n'
        f"    }}]\n  }})\n}}\n"
    )


def _s3_legacy(stack: Stack, name: str, suffix: str) -> str:
    """A bucket in provider v3 style: everything inline."""
    sse = ""
    if stack.ok(0.8):
        sse = (
            "\n  server_side_encryption_configuration {\n    rule {\n"
            "      apply_server_side_encryption_by_default {\n"
            '        sse_algorithm = "AES256"\n      }\n    }\n  }\n'
        )
    logging = ""
    if stack.log_bucket and stack.ok():
        logging = (
            f"\n  logging {{\n    target_bucket = aws_s3_bucket.{stack.log_bucket}.id\n"
            f'    target_prefix = "{suffix}/"\n  }}\n'
        )
    acl = "private" if stack.ok(0.9) else "public-read"
    text = (
        f'resource "aws_s3_bucket" "{name}" {{\n'
        f'  bucket = "${{local.name_prefix}}-{suffix}-legacy"\n'
        f'  acl    = "{acl}"\n\n  versioning {{\n    enabled = {str(stack.ok()).lower()}\n  }}\n'
        f"{logging}{sse}}}\n"
    )
    return text


def rds_tf(stack: Stack) -> TfFile:
    rng = stack.rng
    group = stack.unique("db")
    parts = [
        f'resource "aws_db_subnet_group" "{group}" {{\n  name       = "${{local.name_prefix}}-db"\n'
        f"  subnet_ids = {stack.private_subnets}[*].id\n}}\n"
    ]
    for _ in range(rng.randint(1, 4)):
        name = stack.unique(rng.choice(["records", "claims", "reporting", "billing", "app"]))
        encrypted = stack.ok(0.85)
        kms = f"  kms_key_id        = aws_kms_key.{stack.kms()}.arn\n" if encrypted else ""
        backups = "var.backup_retention_days" if stack.ok() else str(rng.choice([0, 1, 3]))
        parts.append(
            f'resource "aws_db_instance" "{name}" {{\n'
            f'  identifier        = "${{local.name_prefix}}-{name.replace("_", "-")}"\n'
            f'  engine            = "{rng.choice(["postgres", "mysql"])}"\n'
            f"  instance_class    = var.db_instance_class\n"
            f"  allocated_storage = {rng.choice([20, 50, 100, 200])}\n"
            f"  storage_encrypted = {str(encrypted).lower()}\n{kms}"
            f'  username          = "{name}_admin"\n'
            f"  manage_master_user_password = true\n"
            f"  db_subnet_group_name    = aws_db_subnet_group.{group}.name\n"
            f"  vpc_security_group_ids  = [aws_security_group.{stack.app_sg}.id]\n"
            f"  publicly_accessible     = {str(not stack.ok(0.9)).lower()}\n"
            f"  multi_az                = local.is_prod\n"
            f"  backup_retention_period = {backups}\n"
            f"  deletion_protection     = var.enable_deletion_protection\n"
            f"  skip_final_snapshot     = !local.is_prod\n"
            f"  tags                    = local.common_tags\n}}\n"
        )
    return TfFile("rds.tf", "\n".join(parts))


def ebs_tf(stack: Stack) -> TfFile:
    parts = []
    for _ in range(stack.rng.randint(4, 10)):
        name = stack.unique(stack.rng.choice(["data", "scratch", "cache", "index", "journal"]))
        encrypted = stack.ok(0.8)
        kms = f"  kms_key_id        = aws_kms_key.{stack.kms()}.arn\n" if encrypted else ""
        parts.append(
            f'resource "aws_ebs_volume" "{name}" {{\n'
            f"  availability_zone = local.azs[{stack.rng.randrange(3)}]\n"
            f"  size              = {stack.rng.choice([50, 100, 500, 1000])}\n"
            f'  type              = "{stack.rng.choice(["gp3", "io2", "st1"])}"\n'
            f"  encrypted         = {str(encrypted).lower()}\n{kms}"
            f'  tags              = merge(local.common_tags, {{ Name = "{name}" }})\n}}\n'
        )
    if stack.ok(0.5):
        parts.append('resource "aws_ebs_encryption_by_default" "this" {\n  enabled = true\n}\n')
    return TfFile("ebs.tf", "\n".join(parts))


def alb_tf(stack: Stack) -> TfFile:
    lb = stack.unique("public")
    tg = stack.unique("app")
    parts = [
        f'resource "aws_lb" "{lb}" {{\n  name               = "${{local.name_prefix}}-alb"\n'
        f'  load_balancer_type = "application"\n  internal           = false\n'
        f"  security_groups    = [aws_security_group.{stack.app_sg}.id]\n"
        f"  subnets            = {stack.public_subnets}[*].id\n"
        f"  drop_invalid_header_fields = {str(stack.ok()).lower()}\n"
        f"  access_logs {{\n    bucket  = aws_s3_bucket.{stack.log_bucket}.id\n"
        f'    prefix  = "alb"\n    enabled = {str(stack.ok()).lower()}\n  }}\n}}\n',
        f'resource "aws_lb_target_group" "{tg}" {{\n  name     = "${{local.name_prefix}}-app"\n'
        f'  port     = 8443\n  protocol = "HTTPS"\n  vpc_id   = aws_vpc.{stack.vpc}.id\n}}\n',
    ]
    policy = stack.rng.choice(TLS_POLICIES if stack.ok(0.85) else WEAK_TLS_POLICIES)
    parts.append(
        f'resource "aws_lb_listener" "{lb}_https" {{\n  load_balancer_arn = aws_lb.{lb}.arn\n'
        f'  port              = 443\n  protocol          = "HTTPS"\n'
        f'  ssl_policy        = "{policy}"\n'
        f'  certificate_arn   = "arn:aws:acm:${{var.region}}:{ACCOUNT}:certificate/{stack.name}"\n'
        f'  default_action {{\n    type             = "forward"\n'
        f"    target_group_arn = aws_lb_target_group.{tg}.arn\n  }}\n}}\n"
    )
    if stack.ok():
        action = (
            '    type = "redirect"\n    redirect {\n      port        = "443"\n'
            '      protocol    = "HTTPS"\n      status_code = "HTTP_301"\n    }\n'
        )
    else:  # plain HTTP forwarding: the non-compliant case
        action = (
            f'    type             = "forward"\n'
            f"    target_group_arn = aws_lb_target_group.{tg}.arn\n"
        )
    parts.append(
        f'resource "aws_lb_listener" "{lb}_http" {{\n  load_balancer_arn = aws_lb.{lb}.arn\n'
        f'  port              = 80\n  protocol          = "HTTP"\n'
        f"  default_action {{\n{action}  }}\n}}\n"
    )
    return TfFile("alb.tf", "\n".join(parts))


def logs_tf(stack: Stack) -> TfFile:
    parts = []
    for service in stack.rng.sample(TEAMS, k=stack.rng.randint(5, 9)):
        name = stack.unique(service)
        retention = "var.log_retention_days" if stack.ok() else str(stack.rng.choice([7, 30]))
        kms = f"  kms_key_id        = aws_kms_key.{stack.kms()}.arn\n" if stack.ok(0.6) else ""
        parts.append(
            f'resource "aws_cloudwatch_log_group" "{name}" {{\n'
            f'  name              = "/${{var.project}}/${{var.environment}}/{service}"\n'
            f"  retention_in_days = {retention}\n{kms}  tags              = local.common_tags\n}}\n"
        )
    if stack.ok(0.5) and stack.buckets:
        trail = stack.unique("trail")
        kms = f"  kms_key_id                    = aws_kms_key.{stack.kms()}.arn\n"
        parts.append(
            f'resource "aws_cloudtrail" "{trail}" {{\n'
            f'  name                          = "${{local.name_prefix}}-trail"\n'
            f"  s3_bucket_name                = aws_s3_bucket.{stack.buckets[0]}.id\n"
            f"  is_multi_region_trail         = {str(stack.ok(0.85)).lower()}\n"
            f"  include_global_service_events = true\n"
            f"  enable_log_file_validation    = {str(stack.ok(0.85)).lower()}\n"
            f"{kms if stack.ok() else ''}}}\n"
        )
    return TfFile("logs.tf", "\n".join(parts))


def iam_tf(stack: Stack) -> TfFile:
    parts = []
    for team in stack.rng.sample(TEAMS, k=stack.rng.randint(3, 5)):
        name = stack.unique(team)
        if stack.ok(0.85) and stack.buckets:
            bucket = stack.rng.choice(stack.buckets)
            statement = (
                f'      Action   = ["s3:GetObject", "s3:PutObject"]\n'
                f'      Resource = "${{aws_s3_bucket.{bucket}.arn}}/*"\n'
            )
        else:
            statement = '      Action   = "*"\n      Resource = "*"\n'
        parts.append(
            f'resource "aws_iam_policy" "{name}" {{\n  name   = "${{local.name_prefix}}-{team}"\n'
            f'  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n'
            f'      Effect   = "Allow"\n{statement}    }}]\n  }})\n}}\n'
        )
        parts.append(
            f'resource "aws_iam_role" "{name}" {{\n  name = "${{local.name_prefix}}-{team}"\n'
            f'  assume_role_policy = jsonencode({{\n    Version = "2012-10-17"\n'
            f'    Statement = [{{\n      Effect    = "Allow"\n'
            f'      Principal = {{ Service = "ecs-tasks.amazonaws.com" }}\n'
            f'      Action    = "sts:AssumeRole"\n    }}]\n  }})\n}}\n\n'
            f'resource "aws_iam_role_policy_attachment" "{name}" {{\n'
            f"  role       = aws_iam_role.{name}.name\n  policy_arn = aws_iam_policy.{name}.arn\n"
            f"}}\n"
        )
    if stack.ok(0.3):
        parts.append(
            'resource "aws_iam_account_password_policy" "this" {\n'
            f"  minimum_password_length      = {stack.rng.choice([8, 14, 16])}\n"
            "  require_symbols              = true\n  require_numbers              = true\n"
            f"  password_reuse_prevention    = {stack.rng.choice([0, 24])}\n}}\n"
        )
    return TfFile("iam.tf", "\n".join(parts))


def dynamodb_tf(stack: Stack) -> TfFile:
    parts = []
    for _ in range(stack.rng.randint(3, 7)):
        name = stack.unique(stack.rng.choice(["sessions", "appointments", "events", "consents"]))
        pitr = "true" if stack.ok() else "false"
        sse = ""
        if stack.ok(0.6):
            sse = (
                f"  server_side_encryption {{\n    enabled     = true\n"
                f"    kms_key_arn = aws_kms_key.{stack.kms()}.arn\n  }}\n"
            )
        parts.append(
            f'resource "aws_dynamodb_table" "{name}" {{\n'
            f'  name         = "${{local.name_prefix}}-{name}"\n'
            f'  billing_mode = "PAY_PER_REQUEST"\n  hash_key     = "pk"\n  range_key    = "sk"\n\n'
            f'  attribute {{\n    name = "pk"\n    type = "S"\n  }}\n\n'
            f'  attribute {{\n    name = "sk"\n    type = "S"\n  }}\n\n'
            f"  point_in_time_recovery {{\n    enabled = {pitr}\n  }}\n{sse}"
            f"  tags = local.common_tags\n}}\n"
        )
    return TfFile("dynamodb.tf", "\n".join(parts))


def messaging_tf(stack: Stack) -> TfFile:
    parts = []
    for team in stack.rng.sample(TEAMS, k=stack.rng.randint(3, 5)):
        name = stack.unique(f"{team}_events")
        if stack.ok():
            queue_enc = f"  kms_master_key_id = aws_kms_key.{stack.kms()}.id\n"
        else:
            queue_enc = "  sqs_managed_sse_enabled = false\n"
        topic_enc = f"  kms_master_key_id = aws_kms_key.{stack.kms()}.id\n" if stack.ok() else ""
        parts.append(
            f'resource "aws_sqs_queue" "{name}" {{\n'
            f'  name = "${{local.name_prefix}}-{team}-events"\n'
            f"  message_retention_seconds = 1209600\n{queue_enc}}}\n\n"
            f'resource "aws_sns_topic" "{name}" {{\n'
            f'  name = "${{local.name_prefix}}-{team}-events"\n'
            f"{topic_enc}}}\n\n"
            f'resource "aws_sns_topic_subscription" "{name}" {{\n'
            f"  topic_arn = aws_sns_topic.{name}.arn\n"
            f'  protocol  = "sqs"\n  endpoint  = aws_sqs_queue.{name}.arn\n}}\n'
        )
    return TfFile("messaging.tf", "\n".join(parts))


def secrets_tf(stack: Stack) -> TfFile:
    parts = []
    for team in stack.rng.sample(TEAMS, k=stack.rng.randint(4, 8)):
        name = stack.unique(f"{team}_api_key")
        kms = f"  kms_key_id  = aws_kms_key.{stack.kms()}.arn\n" if stack.ok() else ""
        parts.append(
            f'resource "aws_secretsmanager_secret" "{name}" {{\n'
            f'  name        = "${{local.name_prefix}}/{team}/api-key"\n'
            f'  description = "API key of the {team} integration"\n{kms}'
            f"  recovery_window_in_days = {stack.rng.choice([7, 30])}\n}}\n"
        )
    return TfFile("secrets.tf", "\n".join(parts))


# Written in this order: each file references only resources of the files before it.
CORE: list[Callable[[Stack], TfFile]] = [variables_tf, locals_tf, kms_tf, network_tf, s3_tf]
OPTIONAL: list[Callable[[Stack], TfFile]] = [
    rds_tf,
    ebs_tf,
    alb_tf,
    logs_tf,
    iam_tf,
    dynamodb_tf,
    messaging_tf,
    secrets_tf,
]


def stack_files(stack: Stack) -> list[TfFile]:
    chosen = stack.rng.sample(OPTIONAL, k=stack.rng.randint(3, len(OPTIONAL)))
    ordered = [f for f in OPTIONAL if f in chosen]  # keep a stable, dependency-safe order
    return [make(stack) for make in CORE + ordered]


def generate(out: Path, files: int, seed: int) -> tuple[int, int, int]:
    """Write the corpus; return (files, resources, stacks)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = resources = stacks = 0
    while written < files:
        team = TEAMS[stacks % len(TEAMS)]
        stack = Stack(name=f"{team}-{stacks:03d}", rng=random.Random(rng.getrandbits(64)))
        folder = out / f"stack-{stacks:03d}-{team}"
        folder.mkdir()
        for tf in stack_files(stack)[: files - written]:
            (folder / tf.name).write_text(tf.text, encoding="utf-8")
            written += 1
            resources += tf.resources
        stacks += 1
    return written, resources, stacks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="target dir (replaced)")
    parser.add_argument("--files", type=int, default=DEFAULT_FILES, help="number of .tf files")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("--files must be at least 1")
    files, resources, stacks = generate(args.out, args.files, args.seed)
    print(f"wrote {files} files, {resources} resources in {stacks} stacks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
