variable "name" {
  type        = string
  description = "Name prefix for the topic, alarms and log group, e.g. \"statuspage-prod\"."
}

variable "alert_email" {
  type        = string
  description = "E-mail address subscribed to the alert topic (confirm the subscription mail); empty for none."
  default     = ""
}

variable "alb_arn_suffix" {
  type        = string
  description = "ARN suffix of the ALB (CloudWatch LoadBalancer dimension)."
}

variable "target_group_arn_suffix" {
  type        = string
  description = "ARN suffix of the target group (CloudWatch TargetGroup dimension)."
}

variable "instance_id" {
  type        = string
  description = "ID of the app instance, for the status check alarm (null with an Auto Scaling group)."
  default     = null
}

variable "autoscaling_group_name" {
  type        = string
  description = "Name of the app's Auto Scaling group when it runs replicas (then no per-instance status check alarm)."
  default     = null
}

variable "dynamodb_table_names" {
  type        = map(string)
  description = "Map of logical name to DynamoDB table name; one throttle alarm per table."
}

variable "alb_5xx_threshold" {
  type        = number
  description = "Alarm when the ALB and targets together return more than this many 5xx responses in 5 minutes."
  default     = 5
}

variable "create_log_group" {
  type        = bool
  description = "Create the CloudWatch Logs group the CloudWatch agent ships the app's JSON logs to."
  default     = true
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the app log group in days (0 keeps logs forever)."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
