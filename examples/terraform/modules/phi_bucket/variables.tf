variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS. Null falls back to SSE-S3 (AES256), which is not enough for PHI."
  type        = string
  default     = null
}

variable "enable_versioning" {
  description = "Keep every object version (recovery from deletion and ransomware)."
  type        = bool
  default     = true
}

variable "access_log_bucket" {
  description = "Bucket receiving server access logs. Null disables access logging."
  type        = string
  default     = null
}

variable "access_log_prefix" {
  description = "Key prefix of this bucket's access logs."
  type        = string
  default     = ""
}

variable "enforce_tls" {
  description = "Attach a bucket policy denying every request not made over TLS."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete a non-empty bucket. Never for PHI in production."
  type        = bool
  default     = false
}
