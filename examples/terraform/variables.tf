variable "region" {
  description = "AWS region of the production stack."
  type        = string
  default     = "us-east-1"
}

variable "project" {
  description = "Short name used as a prefix for every resource."
  type        = string
  default     = "carebridge"
}

variable "environment" {
  description = "Deployment environment (dev, staging, prod)."
  type        = string
  default     = "staging"
}

variable "vpc_cidr" {
  description = "CIDR of the application VPC."
  type        = string
  default     = "10.40.0.0/16"
}

variable "analytics_vpc_cidr" {
  description = "CIDR of the analytics sandbox VPC."
  type        = string
  default     = "10.90.0.0/16"
}

variable "db_instance_class" {
  description = "Instance class of the patient records database."
  type        = string
  default     = "db.r6g.large"
}

variable "db_username" {
  description = "Master user name of the patient records database (the password is managed by RDS in Secrets Manager)."
  type        = string
  default     = "carebridge_admin"
}

variable "backup_retention_days" {
  description = "Automated backup retention of the patient records database, in days."
  type        = number
  default     = 35
}

variable "log_retention_days" {
  description = "Retention of application and audit log groups, in days."
  type        = number
  default     = 365
}

variable "acm_certificate_arn" {
  description = "ACM certificate of the patient portal's public hostname."
  type        = string
  default     = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
}

variable "eks_version" {
  description = "Kubernetes version of the clinical workloads cluster."
  type        = string
  default     = "1.30"
}

# Deliberately without a default and absent from terraform.tfvars: the imaging pipeline's CI job
# passes it as TF_VAR_scratch_volume_encrypted at apply time. A scanner reading the code alone
# cannot know it, so the encryption check on aws_ebs_volume.imaging_scratch is `unknown`.
variable "scratch_volume_encrypted" {
  description = "Whether the imaging scratch volume is encrypted (set by the imaging CI job)."
  type        = bool
}

variable "security_alerts_email" {
  description = "Who receives the CIS security alarms (an on-call list, not a person)"
  type        = string
  default     = "security-oncall@example.org"
}
