output "patient_documents_bucket" {
  description = "Bucket of the patient documents."
  value       = module.patient_documents.bucket_id
}

output "portal_url" {
  description = "Public hostname of the patient portal's load balancer."
  value       = "https://${aws_lb.portal.dns_name}"
}

output "patient_records_endpoint" {
  description = "Endpoint of the patient records database."
  value       = aws_db_instance.patient_records.endpoint
}
