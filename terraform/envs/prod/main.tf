locals {
  name               = "${var.project}-${var.environment}"
  ssm_parameter_path = "/${var.project}/${var.environment}/"
  origin_domain_name = "${var.origin_subdomain}.${var.domain_name}"

  tags = merge(var.tags, {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  })
}

data "aws_route53_zone" "this" {
  name         = var.route53_zone_name
  private_zone = false
}

# Shared secret between CloudFront (adds it as an origin header) and the ALB listener rule (requires it).
# AWS generates it (Secrets Manager GetRandomPassword; nothing is stored in Secrets Manager) without punctuation,
# because ALB header conditions read * and ? as wildcards. The data source answers a new value on every plan, so
# terraform_data keeps the first one and ignores the rest: the CloudFront origin and the listener rule do not
# change between applies. Rotate with: terraform apply -replace=terraform_data.origin_verify (see README.md).
data "aws_secretsmanager_random_password" "origin_verify" {
  password_length     = 48
  exclude_punctuation = true
  include_space       = false
}

resource "terraform_data" "origin_verify" {
  input = sensitive(data.aws_secretsmanager_random_password.origin_verify.random_password)

  lifecycle {
    ignore_changes = [input]
  }
}

locals {
  # terraform_data's output loses the sensitive mark once applied; mark it again where it is used.
  origin_verify_secret = sensitive(terraform_data.origin_verify.output)
}

module "network" {
  source = "../../modules/network"

  name                             = local.name
  vpc_cidr                         = var.vpc_cidr
  public_subnet_cidrs              = [cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), 0), cidrsubnet(var.vpc_cidr, 24 - tonumber(split("/", var.vpc_cidr)[1]), 1)]
  app_port                         = var.app_port
  alb_ingress_from_cloudfront_only = var.alb_ingress_from_cloudfront_only
  tags                             = local.tags
}

module "data" {
  source = "../../modules/data"

  table_prefix        = var.dynamodb_table_prefix
  deletion_protection = var.deletion_protection
  tags                = local.tags
}

module "alerts" {
  source = "../../modules/alerts"

  name                    = local.name
  alert_email             = var.alert_email
  alb_arn_suffix          = module.compute.alb_arn_suffix
  target_group_arn_suffix = module.compute.target_group_arn_suffix
  instance_id             = module.compute.instance_id
  autoscaling_group_name  = module.compute.autoscaling_group_name
  dynamodb_table_names    = module.data.table_names
  create_log_group        = var.create_log_group
  log_retention_days      = var.log_retention_days
  tags                    = local.tags
}

module "compute" {
  source = "../../modules/compute"

  name                       = local.name
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.public_subnet_ids
  alb_security_group_id      = module.network.alb_security_group_id
  instance_security_group_id = module.network.instance_security_group_id
  app_port                   = var.app_port
  instance_type              = var.instance_type
  root_volume_size           = var.root_volume_size
  instance_tags              = { Role = "app" }
  zone_id                    = data.aws_route53_zone.this.zone_id
  origin_domain_name         = local.origin_domain_name
  origin_verify_secret       = local.origin_verify_secret
  dynamodb_table_arns        = values(module.data.table_arns)
  dynamodb_index_arns        = module.data.index_arns
  sns_topic_arn              = module.alerts.sns_topic_arn
  subscribers_topic_arn      = module.alerts.subscribers_topic_arn
  ssm_parameter_path         = local.ssm_parameter_path
  log_group_arn              = module.alerts.log_group_arn
  deletion_protection        = var.deletion_protection
  tags                       = local.tags

  # replicas > 1: an Auto Scaling group (one spare for instance refresh), each new instance bootstrapped with the
  # same Ansible variables the pipeline passes (outputs.tf ansible_extra_vars, minus what only the controller needs).
  autoscaling = var.replicas == 1 ? null : {
    min_size           = var.replicas
    max_size           = var.replicas + 1
    desired_capacity   = var.replicas
    release_version    = var.release_version
    ansible_extra_vars = local.replica_bootstrap_vars
  }
}

locals {
  replica_bootstrap_vars = {
    app_port                        = tostring(var.app_port)
    app_aws_region                  = var.aws_region
    app_public_base_url             = "https://${var.domain_name}"
    app_dynamodb_table_prefix       = module.data.table_prefix
    app_sns_topic_arn               = module.alerts.sns_topic_arn
    app_ssm_parameter_path          = local.ssm_parameter_path
    app_trusted_proxy_cidrs         = var.vpc_cidr
    cloudwatch_agent_log_group_name = module.alerts.log_group_name
  }
}

module "edge" {
  source = "../../modules/edge"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name                   = local.name
  domain_name            = var.domain_name
  zone_id                = data.aws_route53_zone.this.zone_id
  api_origin_domain_name = module.compute.origin_domain_name
  origin_verify_secret   = local.origin_verify_secret
  tags                   = local.tags
}

module "ci" {
  source = "../../modules/ci"

  name                       = local.name
  gitlab_url                 = var.gitlab_url
  audience                   = var.gitlab_url
  gitlab_project_path        = var.gitlab_project_path
  gitlab_branch              = var.gitlab_branch
  create_oidc_provider       = var.create_gitlab_oidc_provider
  existing_oidc_provider_arn = var.existing_gitlab_oidc_provider_arn
  tags                       = local.tags
}
