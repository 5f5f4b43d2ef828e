variable "project" {
  type        = string
  description = "Project name, prefix of the state bucket and lock table names."
  default     = "statuspage"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project))
    error_message = "project must be 3-20 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "aws_region" {
  type        = string
  description = "Region of the state bucket and lock table (use the same region as envs/prod)."
  default     = "eu-central-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region code such as eu-central-1."
  }
}
