# Network: the application VPC (with flow logs), an analytics sandbox VPC (without), security
# groups, and the load balancers in front of the patient portal.

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = "${local.name_prefix}-vpc" }
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone = local.azs[count.index]

  tags = { Name = "${local.name_prefix}-private-${local.azs[count.index]}" }
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 8)
  availability_zone = local.azs[count.index]

  tags = { Name = "${local.name_prefix}-public-${local.azs[count.index]}" }
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

# Flow logs of every packet, accepted and rejected, to an encrypted log group kept a year.
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.vpc_flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn
}

# NON-COMPLIANT on purpose: the data team's sandbox VPC was created without flow logs, so traffic
# to and from it leaves no audit trail (HIPAA 164.312(b), SOC 2 CC7.2).
resource "aws_vpc" "analytics_sandbox" {
  cidr_block = var.analytics_vpc_cidr

  tags = { Name = "${local.name_prefix}-analytics-sandbox" }
}

# --- Security groups --------------------------------------------------------------------------------

resource "aws_security_group" "bastion" {
  name        = "${local.name_prefix}-bastion"
  description = "SSH bastion for on-call engineers"
  vpc_id      = aws_vpc.main.id
}

# NON-COMPLIANT on purpose: SSH opened to the whole internet during an incident and never closed.
# The fix is SSM Session Manager, or at least the VPN's CIDR.
resource "aws_security_group_rule" "bastion_ssh" {
  type              = "ingress"
  description       = "SSH (temporary, incident 2024-031)"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.bastion.id
}

resource "aws_security_group_rule" "bastion_egress" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = [var.vpc_cidr]
  security_group_id = aws_security_group.bastion.id
}

resource "aws_security_group" "alb" {
  name        = "${local.name_prefix}-portal-alb"
  description = "Patient portal load balancer"
  vpc_id      = aws_vpc.main.id
}

# Public HTTPS (and HTTP, which only redirects) is what a public load balancer is for.
resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_redirect" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the internet, redirected to HTTPS"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 80
  to_port           = 80
  ip_protocol       = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_app" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the portal pods"
  referenced_security_group_id = aws_security_group.app.id
  from_port                    = 8443
  to_port                      = 8443
  ip_protocol                  = "tcp"
}

resource "aws_security_group" "app" {
  name        = "${local.name_prefix}-portal-app"
  description = "Patient portal application"
  vpc_id      = aws_vpc.main.id
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "HTTPS from the portal load balancer only"
  referenced_security_group_id = aws_security_group.alb.id
  from_port                    = 8443
  to_port                      = 8443
  ip_protocol                  = "tcp"
}

resource "aws_security_group" "database" {
  name        = "${local.name_prefix}-patient-records-db"
  description = "Patient records PostgreSQL"
  vpc_id      = aws_vpc.main.id

  ingress {
    description     = "PostgreSQL from the application"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [aws_security_group.app.id]
  }
}

# --- Load balancers ---------------------------------------------------------------------------------

resource "aws_lb" "portal" {
  name                       = "${local.name_prefix}-portal"
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = aws_subnet.public[*].id
  drop_invalid_header_fields = true
  enable_deletion_protection = true

  access_logs {
    bucket  = aws_s3_bucket.access_logs.id
    prefix  = "alb"
    enabled = true
  }
}

resource "aws_lb_target_group" "portal" {
  name        = "${local.name_prefix}-portal"
  port        = 8443
  protocol    = "HTTPS"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id

  health_check {
    path     = "/healthz"
    protocol = "HTTPS"
  }
}

# TLS 1.3 with TLS 1.2 fallback only.
resource "aws_lb_listener" "portal_https" {
  load_balancer_arn = aws_lb.portal.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.acm_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.portal.arn
  }
}

# Plain HTTP is fine when all it does is redirect to HTTPS.
resource "aws_lb_listener" "portal_http_redirect" {
  load_balancer_arn = aws_lb.portal.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

# Deliberate gaps: an internal ALB left with the provider's defaults: no access logs, no deletion
# protection, malformed headers forwarded to the targets.
resource "aws_lb" "internal_tools" {
  name               = "${local.name_prefix}-internal-tools"
  load_balancer_type = "application"
  internal           = true
  security_groups    = [aws_security_group.app.id]
  subnets            = aws_subnet.private[*].id
}

resource "aws_lb_target_group" "care_dashboard" {
  name        = "${local.name_prefix}-care-dashboard"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id
}

# NON-COMPLIANT on purpose: the care-team dashboard shows PHI over plain HTTP "because it is
# internal". Inside the VPC is still transmission (HIPAA 164.312(e)(1)).
resource "aws_lb_listener" "care_dashboard_http" {
  load_balancer_arn = aws_lb.internal_tools.arn
  port              = 8080
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.care_dashboard.arn
  }
}

# The public portal ALB sits behind a regional WAF web ACL (managed common rule set).
resource "aws_wafv2_web_acl" "portal" {
  name  = "${local.name_prefix}-portal"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common"
    priority = 1

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-common"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "portal"
    sampled_requests_enabled   = true
  }
}

resource "aws_wafv2_web_acl_association" "portal" {
  resource_arn = aws_lb.portal.arn
  web_acl_arn  = aws_wafv2_web_acl.portal.arn
}
