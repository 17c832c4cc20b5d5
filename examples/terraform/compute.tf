# Compute: EBS volumes of the imaging workers and the EKS cluster running the clinical services.

resource "aws_ebs_volume" "dicom_cache" {
  availability_zone = local.azs[0]
  size              = 500
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.phi.arn

  tags = { Name = "${local.name_prefix}-dicom-cache" }
}

# UNKNOWN on purpose: `encrypted` comes from a variable the imaging CI job sets at apply time
# (see variables.tf), so the code alone does not say whether this volume is encrypted.
resource "aws_ebs_volume" "imaging_scratch" {
  availability_zone = local.azs[1]
  size              = 1000
  type              = "st1"
  encrypted         = var.scratch_volume_encrypted

  tags = { Name = "${local.name_prefix}-imaging-scratch" }
}

resource "aws_eks_cluster" "clinical" {
  name     = local.eks_cluster_name
  version  = var.eks_version
  role_arn = aws_iam_role.eks_cluster.arn

  vpc_config {
    subnet_ids              = aws_subnet.private[*].id
    security_group_ids      = [aws_security_group.app.id]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  # Kubernetes secrets are envelope-encrypted with the PHI key.
  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = aws_kms_key.phi.arn
    }
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  depends_on = [
    aws_iam_role_policy_attachment.eks_cluster,
    aws_cloudwatch_log_group.eks_cluster,
  ]
}
