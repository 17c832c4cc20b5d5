# S3: the access-log bucket and the PHI buckets, written with the AWS provider v4+ split resources;
# one legacy bucket still in v3 inline style; one public website bucket.

# --- Server access log bucket ----------------------------------------------------------------------

resource "aws_s3_bucket" "access_logs" {
  # comply:skip=s3_bucket_access_logging_enabled this IS the access-log bucket
  bucket = local.access_log_bucket_name
}

# S3 server access logs and ALB access logs can only be delivered to SSE-S3 buckets.
resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "S3ServerAccessLogsDelivery"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.access_logs.arn}/*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
      {
        Sid       = "AlbAccessLogsDelivery"
        Effect    = "Allow"
        Principal = { AWS = data.aws_elb_service_account.main.arn }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.access_logs.arn}/alb/AWSLogs/${local.account_id}/*"
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  })
}

# --- PHI buckets, through the local module ----------------------------------------------------------

# Compliant: KMS with the PHI key, versioning, access logging, TLS-only bucket policy.
module "patient_documents" {
  source = "./modules/phi_bucket"

  bucket_name       = "${local.name_prefix}-patient-documents"
  kms_key_arn       = aws_kms_key.phi.arn
  access_log_bucket = aws_s3_bucket.access_logs.id
  access_log_prefix = "patient-documents/"
}

# NON-COMPLIANT on purpose: claims exports were set up in a hurry for a payer integration.
# The module's defaults are safe, but this call turns them off: SSE-S3 instead of the PHI key,
# versioning suspended, no access logging, no TLS-only policy.
module "claims_exports" {
  source = "./modules/phi_bucket"

  bucket_name       = "${local.name_prefix}-claims-exports"
  enable_versioning = false
  enforce_tls       = false
}

# --- Legacy bucket (provider v3 inline blocks) ------------------------------------------------------

# Lab results from the 2021 pilot, still written with the provider v3 inline arguments (deprecated
# in v4+, still accepted). Encrypted, versioned and logged, so it should pass the same checks as a
# split-resource bucket; it has no public access block, which fails that check.
resource "aws_s3_bucket" "legacy_lab_results" {
  bucket = "${local.name_prefix}-lab-results-2021"
  acl    = "private"

  versioning {
    enabled = true
  }

  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "lab-results-2021/"
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.phi.arn
      }
    }
  }
}

# --- Public marketing site --------------------------------------------------------------------------

# NON-COMPLIANT on purpose: the marketing website is public by design and holds no PHI. It fails
# the public-access checks (and has no versioning or access logging); the fix is an entry in the
# risk register or moving it behind CloudFront, not a silent skip.
resource "aws_s3_bucket" "marketing_site" {
  bucket = "${local.name_prefix}-www"
}

resource "aws_s3_bucket_website_configuration" "marketing_site" {
  bucket = aws_s3_bucket.marketing_site.id

  index_document {
    suffix = "index.html"
  }
}

resource "aws_s3_bucket_public_access_block" "marketing_site" {
  bucket = aws_s3_bucket.marketing_site.id

  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "marketing_site" {
  bucket     = aws_s3_bucket.marketing_site.id
  depends_on = [aws_s3_bucket_public_access_block.marketing_site]

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.marketing_site.arn}/*"
    }]
  })
}
