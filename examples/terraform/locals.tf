locals {
  name_prefix = "${var.project}-${var.environment}"
  account_id  = data.aws_caller_identity.current.account_id

  common_tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
    Owner       = "platform@carebridge.example"
  }

  azs = ["${var.region}a", "${var.region}b"]

  access_log_bucket_name = "${local.name_prefix}-s3-access-logs"
  cloudtrail_bucket_name = "${local.name_prefix}-cloudtrail"
  eks_cluster_name       = "${local.name_prefix}-clinical"
}
