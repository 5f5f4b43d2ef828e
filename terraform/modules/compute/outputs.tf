output "instance_id" {
  description = "ID of the app instance (SSM target for Ansible and Session Manager); null with an Auto Scaling group."
  value       = one(aws_instance.this[*].id)
}

output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group of replicas; null with the single instance."
  value       = one(aws_autoscaling_group.this[*].name)
}

output "releases_bucket" {
  description = "Bucket new replicas install their release from (releases/<version>/{release,ansible}.tar.gz); null with the single instance."
  value       = one(aws_s3_bucket.releases[*].bucket)
}

output "instance_role_arn" {
  description = "ARN of the instance role."
  value       = aws_iam_role.this.arn
}

output "instance_role_name" {
  description = "Name of the instance role."
  value       = aws_iam_role.this.name
}

output "alb_arn" {
  description = "ARN of the ALB."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB for CloudWatch dimensions."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "AWS DNS name of the ALB."
  value       = aws_lb.this.dns_name
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group for CloudWatch dimensions."
  value       = aws_lb_target_group.this.arn_suffix
}

output "origin_domain_name" {
  description = "DNS name CloudFront uses to reach the ALB (covered by the ALB certificate)."
  value       = var.origin_domain_name

  # CloudFront must not be pointed at the name before the record exists.
  depends_on = [aws_route53_record.origin]
}

output "ssm_transfer_bucket" {
  description = "Bucket for the Ansible aws_ssm connection (ansible_aws_ssm_bucket_name)."
  value       = aws_s3_bucket.ssm_transfer.bucket
}
