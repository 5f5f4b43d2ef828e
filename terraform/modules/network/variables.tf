variable "name" {
  type        = string
  description = "Name prefix for every resource in this module, e.g. \"statuspage-prod\"."
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR block of the VPC."
  default     = "10.40.0.0/16"
}

variable "public_subnet_cidrs" {
  type        = list(string)
  description = "CIDR blocks of the public subnets, one per availability zone (the ALB needs at least two AZs)."
  default     = ["10.40.0.0/24", "10.40.1.0/24"]
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones for the public subnets; empty picks the first available zones of the region."
  default     = []
}

variable "app_port" {
  type        = number
  description = "TCP port the application (or the optional local nginx) listens on; the only port the ALB may reach on the instance."
  default     = 3000
}

variable "alb_ingress_from_cloudfront_only" {
  type        = bool
  description = "Restrict ALB port 443 to the CloudFront origin-facing managed prefix list instead of the whole internet."
  default     = true
}

variable "instance_egress_cidrs" {
  type        = list(string)
  description = "IPv4 CIDRs the instance may reach (AWS APIs, package repositories, monitored targets, Slack)."
  default     = ["0.0.0.0/0"]
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
