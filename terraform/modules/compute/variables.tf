variable "name" {
  type        = string
  description = "Name prefix for every resource in this module, e.g. \"statuspage-prod\" (ALB and target group names are cut to 32 characters)."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the ALB, target group and instance."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Public subnets in at least two AZs for the ALB; the instance goes into the first one."
}

variable "alb_security_group_id" {
  type        = string
  description = "Security group attached to the ALB."
}

variable "instance_security_group_id" {
  type        = string
  description = "Security group attached to the instance."
}

variable "app_port" {
  type        = number
  description = "Port the app listens on; target group port and health check port."
  default     = 3000
}

variable "health_check_path" {
  type        = string
  description = "HTTP path the target group probes."
  default     = "/api/health"
}

variable "instance_type" {
  type        = string
  description = "EC2 instance type (x86_64; the AMI lookup is for x86_64)."
  default     = "t2.small"
}

variable "root_volume_size" {
  type        = number
  description = "Size of the encrypted gp3 root volume in GiB."
  default     = 30
}

variable "instance_tags" {
  type        = map(string)
  description = "Extra tags on the instance; the Ansible aws_ec2 inventory selects hosts by these (e.g. Role = \"app\")."
  default     = { Role = "app" }
}

variable "zone_id" {
  type        = string
  description = "Route 53 hosted zone ID for the origin record and the ACM DNS validation records."
}

variable "origin_domain_name" {
  type        = string
  description = "DNS name of the ALB that CloudFront connects to over HTTPS, e.g. \"origin.status.example.com\"."
}

variable "origin_verify_header_name" {
  type        = string
  description = "Name of the secret header CloudFront adds to origin requests; the listener forwards only requests carrying it."
  default     = "X-Origin-Verify"
}

variable "origin_verify_secret" {
  type        = string
  description = "Value of the secret origin header (shared with the edge module)."
  sensitive   = true
}

variable "dynamodb_table_arns" {
  type        = list(string)
  description = "ARNs of the app's DynamoDB tables; the instance role gets data-plane access to these only."
}

variable "dynamodb_index_arns" {
  type        = list(string)
  description = "ARNs of the tables' global secondary indexes."
}

variable "sns_topic_arn" {
  type        = string
  description = "ARN of the one SNS topic the app may publish to."
}

variable "ssm_parameter_path" {
  type        = string
  description = "Parameter Store path holding the app's secrets, e.g. \"/statuspage/prod/\"; the role may read only below it."

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.ssm_parameter_path))
    error_message = "ssm_parameter_path must start and end with \"/\", e.g. \"/statuspage/prod/\"."
  }
}

variable "log_group_arn" {
  type        = string
  description = "ARN of the CloudWatch Logs group the agent writes to; null grants no log access."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Enable ALB deletion protection and EC2 termination protection."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

variable "autoscaling" {
  type = object({
    min_size         = number
    max_size         = number
    desired_capacity = number
    # Seconds after launch before a failing ALB health check replaces an instance (bootstrap + boot).
    health_check_grace_period = optional(number, 600)
    # Instance refresh (a new launch template version): keep this share of the group healthy, one batch at a time.
    min_healthy_percentage = optional(number, 66)
    instance_warmup        = optional(number, 300)
    # releases/<release_version>/release.tar.gz and ansible.tar.gz in the releases bucket, installed at boot.
    release_version = optional(string, "current")
    # Ansible extra vars for the bootstrap (the same keys envs/prod outputs as ansible_extra_vars).
    ansible_extra_vars = optional(map(string), {})
  })
  description = "null (default): one EC2 instance. Set: an Auto Scaling group of replicas over every subnet (two AZs) behind the ALB target group, launched from a launch template whose user data installs the release with the Ansible roles; a new release_version or AMI rolls the group by instance refresh."
  default     = null

  validation {
    condition = var.autoscaling == null ? true : (
      var.autoscaling.min_size >= 1 && var.autoscaling.min_size <= var.autoscaling.desired_capacity &&
      var.autoscaling.desired_capacity <= var.autoscaling.max_size && var.autoscaling.max_size <= 10 &&
      var.autoscaling.min_healthy_percentage >= 0 && var.autoscaling.min_healthy_percentage <= 100 &&
      can(regex("^[A-Za-z0-9._-]{1,64}$", var.autoscaling.release_version))
    )
    error_message = "autoscaling needs 1 <= min_size <= desired_capacity <= max_size <= 10, min_healthy_percentage between 0 and 100, and a release_version of letters, digits, '.', '_' or '-'."
  }
}

variable "subscribers_topic_arn" {
  type        = string
  description = "ARN of the visitor subscribers topic: the instance may subscribe e-mail addresses to it and publish to it (null: no grant)."
  default     = null
}
