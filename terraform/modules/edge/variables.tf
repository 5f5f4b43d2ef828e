variable "name" {
  type        = string
  description = "Name prefix for every resource in this module, e.g. \"statuspage-prod\"."
}

variable "domain_name" {
  type        = string
  description = "Public host name of the status page, e.g. \"status.example.com\"."
}

variable "zone_id" {
  type        = string
  description = "Route 53 hosted zone ID that contains domain_name."
}

variable "api_origin_domain_name" {
  type        = string
  description = "DNS name of the ALB origin for /api/* (must match the ALB certificate)."
}

variable "origin_verify_header_name" {
  type        = string
  description = "Name of the secret header CloudFront adds to every API origin request."
  default     = "X-Origin-Verify"
}

variable "origin_verify_secret" {
  type        = string
  description = "Value of the secret origin header; the ALB listener forwards only requests carrying it."
  sensitive   = true
}

variable "price_class" {
  type        = string
  description = "CloudFront price class (PriceClass_100 = North America and Europe edges only, the cheapest)."
  default     = "PriceClass_100"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
