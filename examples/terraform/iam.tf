# IAM: service roles, the portal's least-privilege policy, a legacy admin policy, password policy.

resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 14
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
  max_password_age               = 90
  password_reuse_prevention      = 24
}

# Least privilege: the portal reads and writes patient documents and uses the PHI key, nothing else.
data "aws_iam_policy_document" "portal_phi_access" {
  statement {
    sid       = "PatientDocuments"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.patient_documents.bucket_arn}/*"]
  }

  statement {
    sid       = "PhiKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.phi.arn]
  }
}

resource "aws_iam_policy" "portal_phi_access" {
  name        = "${local.name_prefix}-portal-phi-access"
  description = "Patient portal: patient documents and the PHI key"
  policy      = data.aws_iam_policy_document.portal_phi_access.json
}

# NON-COMPLIANT on purpose: from the early days, still attached to the founders' group.
# Full administrative access (Action "*" on Resource "*") defeats least privilege (SOC 2 CC6.3).
resource "aws_iam_policy" "legacy_admin" {
  name        = "${local.name_prefix}-legacy-admin"
  description = "Full access (legacy)"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

# --- Service roles ----------------------------------------------------------------------------------

resource "aws_iam_role" "flow_logs" {
  name = "${local.name_prefix}-vpc-flow-logs"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "flow_logs" {
  name = "write-flow-logs"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = "${aws_cloudwatch_log_group.vpc_flow_logs.arn}:*"
    }]
  })
}

# A managed policy, attached: reviewable on its own, unlike an inline one.
resource "aws_iam_role_policy_attachment" "flow_logs" {
  role       = aws_iam_role.flow_logs.name
  policy_arn = aws_iam_policy.flow_logs.arn
}

resource "aws_iam_role" "cloudtrail_to_cloudwatch" {
  name = "${local.name_prefix}-cloudtrail-to-cloudwatch"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "cloudtrail.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_policy" "cloudtrail_to_cloudwatch" {
  name = "write-cloudtrail-events"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.cloudtrail.arn}:*"
    }]
  })
}

# A managed policy, attached: reviewable on its own, unlike an inline one.
resource "aws_iam_role_policy_attachment" "cloudtrail_to_cloudwatch" {
  role       = aws_iam_role.cloudtrail_to_cloudwatch.name
  policy_arn = aws_iam_policy.cloudtrail_to_cloudwatch.arn
}

resource "aws_iam_role" "eks_cluster" {
  name = "${local.name_prefix}-eks-cluster"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "eks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "eks_cluster" {
  role       = aws_iam_role.eks_cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}
