output "aws_region" {
  description = "Region of the deployment (AWS_REGION for the app and the pipeline)."
  value       = var.aws_region
}

output "public_url" {
  description = "Public URL of the status page."
  value       = module.edge.public_url
}

output "instance_id" {
  description = "App instance ID (aws ssm start-session --target <id>); null with replicas > 1 (see autoscaling_group_name)."
  value       = module.compute.instance_id
}

output "autoscaling_group_name" {
  description = "With replicas > 1: the Auto Scaling group (aws autoscaling start-instance-refresh, describe-auto-scaling-groups)."
  value       = module.compute.autoscaling_group_name
}

output "releases_bucket" {
  description = "With replicas > 1: upload releases/<version>/release.tar.gz and ansible.tar.gz here before rolling."
  value       = module.compute.releases_bucket
}

output "dashboard_bucket" {
  description = "Bucket the pipeline syncs dist/web/browser into."
  value       = module.edge.bucket_name
}

output "cloudfront_distribution_id" {
  description = "Distribution to invalidate after a dashboard deploy."
  value       = module.edge.distribution_id
}

output "deploy_role_arn" {
  description = "GitLab OIDC deploy role; CI/CD variable AWS_DEPLOY_ROLE_ARN."
  value       = module.ci.deploy_role_arn
}

output "ssm_parameter_path" {
  description = "Parameter Store path for the app's secrets (SLACK_WEBHOOK_URL, ADMIN_TOKEN_HASHES)."
  value       = local.ssm_parameter_path
}

output "dynamodb_table_names" {
  description = "Map of logical to real DynamoDB table names."
  value       = module.data.table_names
}

output "alb_dns_name" {
  description = "AWS DNS name of the ALB (answers 403 without CloudFront's origin header)."
  value       = module.compute.alb_dns_name
}

# Keys are Ansible variable names: `terraform output -json ansible_extra_vars > vars.json`, then
# `ansible-playbook -e @vars.json ...`.
output "ansible_extra_vars" {
  description = "Everything the Ansible roles need from Terraform, keyed by Ansible variable name."
  value = {
    aws_region                      = var.aws_region
    ssm_transfer_bucket             = module.compute.ssm_transfer_bucket
    app_port                        = var.app_port
    app_aws_region                  = var.aws_region
    app_public_base_url             = module.edge.public_url
    app_dynamodb_table_prefix       = module.data.table_prefix
    app_sns_topic_arn               = module.alerts.sns_topic_arn
    app_subscribers_topic_arn       = module.alerts.subscribers_topic_arn
    app_ssm_parameter_path          = local.ssm_parameter_path
    app_trusted_proxy_cidrs         = var.vpc_cidr
    cloudwatch_agent_log_group_name = module.alerts.log_group_name
  }
}
