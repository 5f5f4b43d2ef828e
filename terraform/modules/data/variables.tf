variable "table_prefix" {
  type        = string
  description = "Prefix of every table name; must equal the app's DYNAMODB_TABLE_PREFIX."
  default     = "statuspage-"
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the tables against terraform destroy / DeleteTable."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every table."
  default     = {}
}
