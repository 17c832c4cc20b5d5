# Databases: the patient records PostgreSQL (compliant), the BI reporting replica (not), and the
# DynamoDB tables of the scheduling service.

resource "aws_db_subnet_group" "private" {
  name       = "${local.name_prefix}-private"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_parameter_group" "postgres16" {
  name   = "${local.name_prefix}-postgres16"
  family = "postgres16"

  # Refuse unencrypted client connections.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }
}

resource "aws_db_instance" "patient_records" {
  identifier     = "${local.name_prefix}-patient-records"
  engine         = "postgres"
  engine_version = "16.3"
  instance_class = var.db_instance_class

  allocated_storage     = 200
  max_allocated_storage = 1000
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.phi.arn

  username                            = var.db_username
  manage_master_user_password         = true
  iam_database_authentication_enabled = true

  db_subnet_group_name   = aws_db_subnet_group.private.name
  vpc_security_group_ids = [aws_security_group.database.id]
  parameter_group_name   = aws_db_parameter_group.postgres16.name
  publicly_accessible    = false
  multi_az               = true

  backup_retention_period   = var.backup_retention_days
  backup_window             = "03:00-04:00"
  copy_tags_to_snapshot     = true
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name_prefix}-patient-records-final"

  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.phi.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  performance_insights_retention_period = 7
}

resource "aws_db_subnet_group" "public" {
  name       = "${local.name_prefix}-public"
  subnet_ids = aws_subnet.public[*].id
}

resource "aws_security_group" "reporting" {
  name        = "${local.name_prefix}-reporting-db"
  description = "Reporting database, reached by the BI vendor"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "PostgreSQL from the BI vendor's egress range"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["203.0.113.0/24"]
  }
}

# NON-COMPLIANT on purpose: a logical replica (fed by DMS) that the BI vendor queries directly.
# Storage not encrypted, reachable from the internet, one day of backups, no deletion protection.
resource "aws_db_instance" "reporting_replica" {
  identifier     = "${local.name_prefix}-reporting"
  engine         = "postgres"
  engine_version = "16.3"
  instance_class = "db.t4g.large"

  allocated_storage = 100
  storage_type      = "gp3"
  storage_encrypted = false

  username                    = "reporting_admin"
  manage_master_user_password = true

  db_subnet_group_name   = aws_db_subnet_group.public.name
  vpc_security_group_ids = [aws_security_group.reporting.id]
  publicly_accessible    = true

  backup_retention_period = 1
  skip_final_snapshot     = true
}

# --- DynamoDB ---------------------------------------------------------------------------------------

resource "aws_dynamodb_table" "appointments" {
  name         = "${local.name_prefix}-appointments"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "patient_id"
  range_key    = "appointment_at"

  attribute {
    name = "patient_id"
    type = "S"
  }

  attribute {
    name = "appointment_at"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.phi.arn
  }

  deletion_protection_enabled = true
}

# NON-COMPLIANT on purpose: the session cache was considered disposable, but sessions carry the
# patient id and the last viewed record. No point-in-time recovery, AWS-owned key only.
resource "aws_dynamodb_table" "portal_sessions" {
  name         = "${local.name_prefix}-portal-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "session_id"

  attribute {
    name = "session_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}
