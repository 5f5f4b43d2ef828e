output "deploy_role_arn" {
  description = "ARN of the deploy role; set it as the AWS_DEPLOY_ROLE_ARN CI/CD variable."
  value       = aws_iam_role.this.arn
}

output "oidc_provider_arn" {
  description = "ARN of the GitLab OIDC identity provider."
  value       = local.provider_arn
}
