output "sns_topic_arn" {
  description = "ARN of the alert topic; the app publishes incident notifications here (SNS_TOPIC_ARN)."
  value       = aws_sns_topic.this.arn
}

output "subscribers_topic_arn" {
  description = "ARN of the visitor subscribers topic (SUBSCRIBERS_TOPIC_ARN): the app subscribes e-mail addresses and publishes visitor notices here."
  value       = aws_sns_topic.subscribers.arn
}

output "log_group_name" {
  description = "Name of the app log group for the CloudWatch agent (null when not created)."
  value       = var.create_log_group ? aws_cloudwatch_log_group.app[0].name : null
}

output "log_group_arn" {
  description = "ARN of the app log group (null when not created)."
  value       = var.create_log_group ? aws_cloudwatch_log_group.app[0].arn : null
}
