output "state_bucket" {
  description = "S3 bucket for remote state (backend.hcl: bucket)."
  value       = aws_s3_bucket.this.bucket
}

output "lock_table" {
  description = "DynamoDB table for state locking (backend.hcl: dynamodb_table)."
  value       = aws_dynamodb_table.this.name
}

output "region" {
  description = "Region of the state bucket (backend.hcl: region)."
  value       = var.aws_region
}
