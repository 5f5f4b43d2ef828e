variable "project" {
  type        = string
  description = "Project name: prefix of resource names, the SSM parameter path (/<project>/<environment>/) and the Project tag."
  default     = "statuspage"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project))
    error_message = "project must be 3-20 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "Environment name, part of resource names and the SSM parameter path."
  default     = "prod"

  validation {
    condition     = contains(["prod", "staging", "dev"], var.environment)
    error_message = "environment must be one of prod, staging, dev."
  }
}

variable "aws_region" {
  type        = string
  description = "Region of everything except the CloudFront certificate (always us-east-1)."
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region code such as eu-central-1."
  }
}

variable "domain_name" {
  type        = string
  description = "Public host name of the status page, e.g. \"status.example.com\"; must lie inside route53_zone_name."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lower-case fully qualified host name without a trailing dot, e.g. status.example.com."
  }
}

variable "route53_zone_name" {
  type        = string
  description = "Existing public Route 53 hosted zone that holds domain_name, e.g. \"example.com\"."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.route53_zone_name))
    error_message = "route53_zone_name must be a lower-case domain without a trailing dot, e.g. example.com."
  }
}

variable "origin_subdomain" {
  type        = string
  description = "Label prepended to domain_name for the ALB's own DNS name that CloudFront connects to (origin.<domain_name>)."
  default     = "origin"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.origin_subdomain))
    error_message = "origin_subdomain must be a single DNS label, e.g. origin."
  }
}

variable "alert_email" {
  type        = string
  description = "E-mail subscribed to the alert topic; empty for none (subscriptions must be confirmed from the mail)."
  default     = ""

  validation {
    condition     = var.alert_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be empty or an e-mail address."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR of the VPC; the two public subnets are its first two /24s."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 22
    error_message = "vpc_cidr must be an IPv4 CIDR of /22 or larger, e.g. 10.40.0.0/16."
  }
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type for the app host (x86_64 only: the AMI lookup is x86_64)."
  default     = "t2.small"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type)) && !can(regex("^[a-z]+[0-9]+[a-z]*g[a-z]*\\.", var.instance_type))
    error_message = "instance_type must be an x86_64 EC2 type such as t2.small or t3.small (no Graviton 'g' families)."
  }
}

variable "replicas" {
  type        = number
  description = "App hosts. 1 (default) = the single t2.small instance. 2-5 = an Auto Scaling group of that many over the two AZs behind the ALB; the app's replicas share the DynamoDB tables (see README \"Replicas\" for the cost per month)."
  default     = 1
  nullable    = false

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 5 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number from 1 to 5 (the app shares 32 shards; beyond 5 a replica idles)."
  }
}

variable "release_version" {
  type        = string
  description = "With replicas > 1: the release a new replica installs at boot, releases/<release_version>/ in the releases bucket. Changing it rolls the group (instance refresh)."
  default     = "current"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.release_version))
    error_message = "release_version must be 1-64 letters, digits, '.', '_' or '-' (a commit SHA, a tag)."
  }
}

variable "root_volume_size" {
  type        = number
  description = "Size of the encrypted gp3 root volume in GiB."
  default     = 30

  validation {
    condition     = var.root_volume_size >= 30 && var.root_volume_size <= 500
    error_message = "root_volume_size must be between 30 and 500 GiB."
  }
}

variable "app_port" {
  type        = number
  description = "Port the app (PORT) or the optional local nginx listens on; the only port the ALB reaches."
  default     = 3000

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535 && floor(var.app_port) == var.app_port
    error_message = "app_port must be an unprivileged port between 1024 and 65535."
  }
}

variable "dynamodb_table_prefix" {
  type        = string
  description = "Prefix of the DynamoDB table names; becomes the app's DYNAMODB_TABLE_PREFIX."
  default     = "statuspage-"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,200}$", var.dynamodb_table_prefix))
    error_message = "dynamodb_table_prefix may contain only letters, digits, '_', '-' and '.' (1-200 characters)."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the app's CloudWatch log group in days (0 = never expire)."
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts: 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ... 3653."
  }
}

variable "create_log_group" {
  type        = bool
  description = "Create the CloudWatch log group the CloudWatch agent ships the app's JSON logs to."
  default     = true
  nullable    = false
}

variable "alb_ingress_from_cloudfront_only" {
  type        = bool
  description = "Allow ALB port 443 only from the CloudFront origin-facing prefix list (false: from anywhere; the secret header still applies)."
  default     = true
  nullable    = false
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection on the ALB, EC2 termination protection and DynamoDB tables."
  default     = true
  nullable    = false
}

variable "gitlab_url" {
  type        = string
  description = "GitLab instance URL (OIDC issuer)."
  default     = "https://gitlab.com"

  validation {
    condition     = can(regex("^https://[a-z0-9.-]+$", var.gitlab_url))
    error_message = "gitlab_url must be https://<host> without a path or trailing slash."
  }
}

variable "gitlab_project_path" {
  type        = string
  description = "GitLab project path allowed to assume the deploy role, e.g. \"acme/status-page\"."

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$", var.gitlab_project_path))
    error_message = "gitlab_project_path must be a full project path such as group/project or group/subgroup/project."
  }
}

variable "gitlab_branch" {
  type        = string
  description = "The only branch whose pipelines may assume the deploy role."
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.gitlab_branch)) && !can(regex("[*?]", var.gitlab_branch))
    error_message = "gitlab_branch must be one literal branch name (no wildcards)."
  }
}

variable "create_gitlab_oidc_provider" {
  type        = bool
  description = "Create the GitLab OIDC provider; set false if the account already has one for gitlab_url."
  default     = true
  nullable    = false
}

variable "existing_gitlab_oidc_provider_arn" {
  type        = string
  description = "ARN of the existing GitLab OIDC provider when create_gitlab_oidc_provider is false."
  default     = ""

  validation {
    condition     = var.existing_gitlab_oidc_provider_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.existing_gitlab_oidc_provider_arn))
    error_message = "existing_gitlab_oidc_provider_arn must be empty or an IAM OIDC provider ARN."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags on every resource (Project and Environment are always set)."
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.tags) : !startswith(lower(key), "aws:")])
    error_message = "tags must not use the reserved aws: prefix."
  }
}
