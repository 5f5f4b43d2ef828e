output "bucket_name" {
  description = "Dashboard bucket; the pipeline syncs dist/web/browser here."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the dashboard bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "CloudFront distribution ID, for invalidations after a dashboard deploy."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "*.cloudfront.net name of the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "public_url" {
  description = "Public base URL of the status page (the app's PUBLIC_BASE_URL)."
  value       = "https://${var.domain_name}"
}
